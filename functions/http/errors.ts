import { DomainError } from '../core/errors.js';
import { logger } from '../commons/logger.js';

export interface ErrorBody {
  error: { code: string; message: string } & Record<string, unknown>;
}

export interface HttpErrorResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const dependencyFailureNames = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
]);

/**
 * The one place errors become responses. Domain errors show their code and message; a failing dependency
 * (throttling, timeouts, KMS) becomes 503 with Retry-After; anything else is a 500 whose cause is logged
 * by name only and never shown.
 */
export function errorResponse(error: unknown): HttpErrorResponse {
  if (error instanceof DomainError) {
    return respond(error.statusCode, error.code, error.message, error.details);
  }
  if (isDependencyFailure(error)) {
    logger.warn('dependency failure', { errorName: (error as Error).name });
    return respond(503, 'service_unavailable', 'The service is temporarily unavailable. Try again shortly.', { retryAfterSeconds: 1 });
  }
  logger.error('unexpected error', { errorName: error instanceof Error ? error.name : typeof error, stack: error instanceof Error ? error.stack : undefined });
  return respond(500, 'internal_error', 'Something went wrong on our side.', {});
}

function respond(statusCode: number, code: string, message: string, details: Record<string, unknown>): HttpErrorResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (typeof details.retryAfterSeconds === 'number') headers['retry-after'] = String(details.retryAfterSeconds);
  const body: ErrorBody = { error: { code, message, ...details } };
  return { statusCode, headers, body: JSON.stringify(body) };
}

function isDependencyFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const sdkError = error as Error & { $metadata?: unknown; $fault?: string; code?: string };
  if (dependencyFailureNames.has(error.name)) return true;
  if (sdkError.$fault === 'server' || sdkError.$metadata !== undefined) return true;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(sdkError.code ?? '');
}
