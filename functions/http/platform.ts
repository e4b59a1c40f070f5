import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { beginInvocation, logger } from '../commons/logger.js';
import { type Outcome, recordOutcomes } from '../commons/metrics.js';
import { deadlineOf, withinDeadline } from '../commons/request-deadline.js';
import { traced } from '../commons/tracing.js';
import { DomainError } from '../core/errors.js';
import { isRetryableDependencyFailure } from './errors.js';

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

/**
 * Builds platform function `step` (no route; invoked with IAM): zod validates the payload, errors get codes, a
 * dependency failure (or the invocation's deadline passing) is `service_unavailable`, and a success counts as
 * `succeeded` in the metrics. Log context, deadline and tracing as for the routes (`routePipeline`).
 */
export function platformFunction<S extends z.ZodType, R>(
  step: string,
  schema: S,
  run: (input: z.infer<S>) => Promise<R>,
  succeeded?: Outcome,
) {
  const handler = middy<unknown, R>().handler(async (event) => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`);
      throw new PlatformFailure('validation_error', `The payload is not valid. ${issues.join('; ')}`);
    }
    try {
      const result = await run(parsed.data);
      if (succeeded) recordOutcomes(step, undefined, [succeeded]);
      return result;
    } catch (error) {
      if (error instanceof DomainError) throw new PlatformFailure(error.code, error.message);
      const errorName = error instanceof Error ? error.name : typeof error;
      if (isRetryableDependencyFailure(error)) {
        logger.warn('dependency failure', { errorName });
        recordOutcomes(step, undefined, ['ServiceUnavailable']);
        throw new PlatformFailure('service_unavailable', 'A dependency is unavailable; try again shortly.');
      }
      logger.error('platform function failed', { errorName });
      throw new PlatformFailure('internal_error', 'The operation failed; see the function logs.');
    }
  });
  return (event: unknown, context: Context): Promise<R> => {
    beginInvocation(context, { step, correlationId: context.awsRequestId });
    return traced(step, () => withinDeadline(deadlineOf(context), () => handler(event, context)));
  };
}
