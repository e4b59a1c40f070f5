import middy from '@middy/core';
import type { z } from 'zod';
import { DomainError } from '../core/errors.js';
import { logger } from '../commons/logger.js';

/**
 * A failure as `aws lambda invoke` reports it: `errorType` is API.md's error code, `errorMessage` the
 * human sentence. Causes of unexpected failures stay in the logs.
 */
class PlatformFailure extends Error {
  constructor(code: string, message: string) {
    super(message);
    this.name = code;
  }
}

/** Builds a platform function (no route; invoked with IAM): zod validates the payload, errors get codes. */
export function platformFunction<S extends z.ZodType, R>(schema: S, run: (input: z.infer<S>) => Promise<R>) {
  return middy<unknown, R>().handler(async (event) => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`);
      throw new PlatformFailure('validation_error', `The payload is not valid. ${issues.join('; ')}`);
    }
    try {
      return await run(parsed.data);
    } catch (error) {
      if (error instanceof DomainError) throw new PlatformFailure(error.code, error.message);
      logger.error('platform function failed', { errorName: error instanceof Error ? error.name : typeof error });
      throw new PlatformFailure('internal_error', 'The operation failed; see the function logs.');
    }
  });
}
