/** How long one attempt of a DynamoDB, KMS or EventBridge call may take, connection included, before it is abandoned. */
const requestTimeoutMs = 2_000;
const connectionTimeoutMs = 1_000;
const maxAttempts = 3;

/**
 * What every AWS SDK client of a step is built with. Without a request timeout the SDK waits on a hanging
 * call for its 300 s socket default, long past the function's timeout, and the call's continuation runs
 * on in a later invocation. With it, a hanging attempt fails as a `TimeoutError` the SDK retries, and the
 * last one answers 503 `service_unavailable` well inside the function's timeout (three attempts of at
 * most 2 s, plus backoff, against `functionTimeoutSeconds`). Both services answer in milliseconds when healthy.
 */
export const awsClientSettings = {
  maxAttempts,
  requestHandler: { connectionTimeout: connectionTimeoutMs, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
} as const;
