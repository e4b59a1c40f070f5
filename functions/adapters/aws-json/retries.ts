import type { IncomingHttpHeaders } from 'node:http';

/**
 * An error an AWS service answered, shaped as the SDK's are where the service reads them: `name` is the
 * error code (`ConditionalCheckFailedException`, …), `$fault` says whose fault it was, and `details` holds
 * the rest of the error body (a condition failure's `Item`, a cancelled transaction's `CancellationReasons`).
 */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number };
  /** The whole error body (the item a refused condition found, a cancelled transaction's reasons). */
  declare readonly details: Record<string, unknown>;
  /** Set on throttling errors, as the SDK marks them. */
  readonly $retryable?: { throttling: true };

  constructor(code: string, message: string, status: number, details: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    // Not enumerable: the body can hold items (a refused condition's, a cancelled transaction's) with sealed
    // secrets and hashes, and Lambda's log of an error that escapes a handler serializes every enumerable property.
    Object.defineProperty(this, 'details', { value: details, enumerable: false });
    this.name = code;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status };
    if (status === 429 || throttlingCodes.has(code)) this.$retryable = { throttling: true };
  }
}

/** An attempt that got no connection or no answer in time (the SDK's `TimeoutError`). */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** The SDK's throttling codes (@smithy/service-error-classification). */
const throttlingCodes = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const transientCodes = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const networkErrorCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

export function isThrottling(error: unknown): boolean {
  return error instanceof AwsServiceError && error.$retryable !== undefined;
}

/** Statuses the SDK retries as transient, whatever the error's code. */
const transientStatuses = new Set([500, 502, 503, 504]);

/** A transient failure as the SDK classifies it: a timeout, a dropped connection, or a 500, 502, 503 or 504. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = error instanceof AwsServiceError ? error.$metadata.httpStatusCode : 0;
  return (
    transientCodes.has(error.name) || networkErrorCodes.has((error as NodeJS.ErrnoException).code ?? '') || transientStatuses.has(status)
  );
}

/** What the SDK's standard mode retries: throttles and transient failures. */
export function isRetryable(error: unknown): boolean {
  return isThrottling(error) || isTransient(error);
}

/**
 * The SDK's standard-mode retry quota (@smithy/core's `StandardRetryStrategy`): 500 tokens per client, a retry
 * after a throttle takes 5, any other 14, and a success gives back what its last retry took (1 when it needed
 * none). With the quota spent, failures are not retried, so a service that is down is not hit three times for
 * every call.
 */
export class RetryQuota {
  private tokens = 500;

  /** Takes the tokens a retry after `error` costs: answers how many, or 0 when the quota cannot pay (no retry). */
  take(error: unknown): number {
    const cost = isThrottling(error) ? 5 : 14;
    if (cost > this.tokens) return 0;
    this.tokens -= cost;
    return cost;
  }

  /** A call succeeded after its last retry cost `lastCost` (0: it needed none). */
  succeeded(lastCost: number): void {
    this.tokens = Math.min(500, this.tokens + (lastCost || 1));
  }
}

/**
 * The SDK's standard-mode backoff before retry number `retry` (0 for the first): a random wait up to
 * 50 ms × 2^retry, 1 s × 2^retry after a throttle, at most 20 s.
 */
export function backoffMs(retry: number, throttled: boolean): number {
  return Math.floor(Math.random() * Math.min((throttled ? 1_000 : 50) * 2 ** retry, 20_000));
}

/**
 * The error of a non-2xx answer. The code is the `x-amzn-errortype` header or the body's `__type` (or
 * `code`), without its namespace (`com.amazonaws.dynamodb.v20120810#`) and anything after a colon.
 */
export function serviceErrorOf(status: number, typeHeader: IncomingHttpHeaders[string], text: string): AwsServiceError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's bare 502): the status decides.
  }
  const raw = [typeHeader, body.__type, body.code].find((value): value is string => typeof value === 'string' && value.length > 0);
  const code = raw ? raw.replace(/:.*$/s, '').replace(/^.*#/, '') : 'UnknownError';
  const message = [body.message, body.Message].find((value): value is string => typeof value === 'string') ?? code;
  const { __type: _type, message: _message, Message: _Message, ...details } = body;
  return new AwsServiceError(code, message, status, details);
}
