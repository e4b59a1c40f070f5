import { DomainError } from '../core/errors.js';
import { logger } from '../commons/logger.js';

interface ErrorBody {
  error: { code: string; message: string } & Record<string, unknown>;
}

export interface HttpErrorResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Failures of a dependency that a retry can cure: throttling, server faults, timeouts. */
const retryableFailureNames = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'TransactionInProgressException',
  'TransactionConflictException',
  // The request's deadline passed (functions/commons/request-deadline.ts) while a call was waiting or in flight.
  'DeadlineExceeded',
  'AbortError',
]);
const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * The one place errors become responses. Domain errors show their code and message; a dependency failure a
 * retry can cure (throttling, server faults, timeouts) becomes 503 with Retry-After; anything else (a bug,
 * a missing permission) is a 500, logged as an error so alarms fire, whose cause is never shown.
 */
export function errorResponse(error: unknown): HttpErrorResponse {
  if (error instanceof DomainError) {
    return respond(error.statusCode, error.code, error.message, error.details);
  }
  if (isRetryableDependencyFailure(error)) {
    logger.warn('dependency failure', { errorName: (error as Error).name });
    return respond(503, 'service_unavailable', 'The service is temporarily unavailable. Try again shortly.', { retryAfterSeconds: 1 });
  }
  logger.error('unexpected error', {
    errorName: error instanceof Error ? error.name : typeof error,
    stack: error instanceof Error ? error.stack : undefined,
  });
  return respond(500, 'internal_error', 'Something went wrong on our side.', {});
}

function respond(statusCode: number, code: string, message: string, details: Record<string, unknown>): HttpErrorResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (typeof details.retryAfterSeconds === 'number') headers['retry-after'] = String(details.retryAfterSeconds);
  const body: ErrorBody = { error: { code, message, ...details } };
  return { statusCode, headers, body: JSON.stringify(body) };
}

/** Whether `error` is a dependency failure a retry can cure (and its request's deadline cut short). */
export function isRetryableDependencyFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const sdkError = error as Error & { $fault?: string; $retryable?: unknown; code?: string };
  return (
    retryableFailureNames.has(error.name) ||
    sdkError.$fault === 'server' ||
    sdkError.$retryable !== undefined ||
    networkErrorCodes.has(sdkError.code ?? '')
  );
}
