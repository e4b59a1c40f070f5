import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/**
 * The one logger. It never receives request bodies, tokens, codes or secrets: handlers log only error
 * names and request ids.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'two-factor' });

/**
 * Starts an invocation's log lines: each then carries the Lambda context (function, request id, cold start),
 * the `step`, the app when there is one, and the `correlation_id` (API Gateway's request id, which its access
 * log shows too). Keys of the previous invocation are dropped first.
 */
export function beginInvocation(context: Context, keys: { step: string; appId?: string; correlationId?: string }): void {
  logger.resetKeys();
  logger.addContext(context);
  logger.appendKeys(keys.appId === undefined ? { step: keys.step } : { step: keys.step, appId: keys.appId });
  if (keys.correlationId !== undefined) logger.setCorrelationId(keys.correlationId);
}
