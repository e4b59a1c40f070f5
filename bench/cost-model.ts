/**
 * List prices (us-east-1, on-demand, as published by AWS in 2025) and the model that turns one measured
 * request into dollars per million such requests. The README's benchmark section states the same model.
 */
export const prices = {
  region: 'us-east-1',
  asOf: '2025 list prices',
  httpApiPerMillionRequests: 1.0,
  lambdaPerMillionRequests: 0.2,
  /** arm64, first 7.5 billion GB-seconds a month. */
  lambdaArmPerGbSecond: 0.0000133334,
  dynamoDbPerMillionWriteUnits: 0.625,
  dynamoDbPerMillionReadUnits: 0.125,
  /** $0.03 per 10,000 requests. */
  kmsPerMillionRequests: 3.0,
  cloudWatchLogsPerGbIngested: 0.5,
  /** Custom events put to EventBridge (each 64 KB chunk counts as one; ours are far smaller). */
  eventBridgePerMillionEvents: 1.0,
  cognito: {
    freeMau: 10_000,
    essentialsPerMau: 0.015,
    /** Up to 100,000 MAU. */
    litePerMau: 0.0055,
  },
} as const;

/**
 * The Lambda duration model: a request's billed duration is its CPU work plus its waits on AWS, not the
 * latency this (shared, loaded) machine shows, which mostly measures queueing behind other work here.
 * - CPU: the step's median process CPU time measured by the bench (handler, local bridge, metering proxies
 *   and HTTP client together: an overstatement of the handler's own), Argon2 included as the handlers
 *   computed it with @node-rs/argon2, the deployed implementation (where only hash-wasm loaded, its share is
 *   divided by the hash-wasm ÷ native CPU ratio measured in the same run). Taken as one Lambda vCPU's time,
 *   which Lambda gives in full only from 1,769 MB.
 * - Waits: the step's median sequential DynamoDB and KMS round trips × {@link roundTripMs}.
 */
export const durationModel = {
  /** Assumed latency of one DynamoDB or KMS call from Lambda in the same region (not measured here). */
  roundTripMs: 6,
  roundTripBasis: "DynamoDB's single-digit-millisecond latency for single-item operations in the same region, KMS taken as alike",
} as const;

/** What CloudWatch Logs counts per log event on top of its message (PutLogEvents' per-event 26 bytes). */
const logEventOverheadBytes = 26;
const bytesPerGb = 1024 ** 3;

/** One step's measured figures, per request (means), from which its cost is modeled. */
export interface MeasuredCost {
  /** Modeled duration ({@link durationModel}); rounded up to the millisecond here, as Lambda bills. */
  durationMs: number;
  memoryMb: number;
  readUnits: number;
  writeUnits: number;
  kmsCalls: number;
  logBytes: number;
  securityEvents: number;
  /** What the event publisher spent on the table and KMS for this request's events. */
  publisher: { readUnits: number; writeUnits: number; kmsCalls: number };
}

export interface CostPerMillion {
  httpApi: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamoDbReads: number;
  dynamoDbWrites: number;
  kms: number;
  cloudWatchLogs: number;
  /** EventBridge events, one publisher invocation per event (an upper bound: the stream batches them), and its table and KMS calls. */
  securityEvents: number;
  total: number;
}

export function costPerMillion(measured: MeasuredCost): CostPerMillion {
  const parts = {
    httpApi: prices.httpApiPerMillionRequests,
    lambdaRequests: prices.lambdaPerMillionRequests,
    lambdaDuration: (Math.ceil(measured.durationMs) / 1000) * (measured.memoryMb / 1024) * prices.lambdaArmPerGbSecond * 1_000_000,
    dynamoDbReads: measured.readUnits * prices.dynamoDbPerMillionReadUnits,
    dynamoDbWrites: measured.writeUnits * prices.dynamoDbPerMillionWriteUnits,
    kms: measured.kmsCalls * prices.kmsPerMillionRequests,
    cloudWatchLogs: ((measured.logBytes * 1_000_000) / bytesPerGb) * prices.cloudWatchLogsPerGbIngested,
    securityEvents:
      measured.securityEvents * (prices.eventBridgePerMillionEvents + prices.lambdaPerMillionRequests) +
      measured.publisher.readUnits * prices.dynamoDbPerMillionReadUnits +
      measured.publisher.writeUnits * prices.dynamoDbPerMillionWriteUnits +
      measured.publisher.kmsCalls * prices.kmsPerMillionRequests,
  };
  return { ...parts, total: Object.values(parts).reduce((sum, value) => sum + value, 0) };
}

export function addCosts(a: CostPerMillion, b: CostPerMillion): CostPerMillion {
  const sum = {} as CostPerMillion;
  for (const key of Object.keys(a) as (keyof CostPerMillion)[]) sum[key] = a[key] + b[key];
  return sum;
}

/**
 * Bytes Lambda itself writes to the function's log group per invocation: START, END and REPORT lines in the
 * Text format, `platform.start`, `platform.runtimeDone`… records in JSON, each plus the per-event overhead.
 */
export function platformLogBytes(logFormat: string, durationMs: number, memoryMb: number): number {
  const requestId = '8f5f5a4e-3c1b-4f7a-9a43-1b2c3d4e5f60';
  const duration = durationMs.toFixed(2);
  const billed = Math.ceil(durationMs);
  const lines =
    logFormat === 'JSON'
      ? [
          JSON.stringify({ time: '2025-01-01T00:00:00.000Z', type: 'platform.start', record: { requestId, version: '$LATEST' } }),
          JSON.stringify({
            time: '2025-01-01T00:00:00.000Z',
            type: 'platform.report',
            record: {
              requestId,
              metrics: { durationMs: Number(duration), billedDurationMs: billed, memorySizeMB: memoryMb, maxMemoryUsedMB: 100 },
              status: 'success',
            },
          }),
        ]
      : [
          `START RequestId: ${requestId} Version: $LATEST\n`,
          `END RequestId: ${requestId}\n`,
          `REPORT RequestId: ${requestId}\tDuration: ${duration} ms\tBilled Duration: ${billed} ms\tMemory Size: ${memoryMb} MB\tMax Memory Used: 100 MB\t\n`,
        ];
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line) + logEventOverheadBytes, 0);
}

/** Bytes the handler's own log lines add, counted per line with the same per-event overhead. */
export function applicationLogBytes(text: string): number {
  const lines = text.split('\n').filter((line) => line.length > 0);
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line) + logEventOverheadBytes, 0);
}

function cents(dollars: number): number {
  return Math.round(dollars * 100) / 100;
}

/** This service's cost per monthly active user next to Amazon Cognito's, at a number of sign-ins per user. */
export function cognitoComparison(signInCostPerMillion: number, signInsPerUserPerMonth: number, mauLevels: number[]) {
  const perMau = (signInCostPerMillion / 1_000_000) * signInsPerUserPerMonth;
  const billable = (mau: number) => Math.max(0, mau - prices.cognito.freeMau);
  return {
    signInsPerUserPerMonth,
    thisServicePerMau: Math.round(perMau * 1e7) / 1e7,
    cognitoEssentialsPerMau: prices.cognito.essentialsPerMau,
    cognitoLitePerMau: prices.cognito.litePerMau,
    cognitoFreeMau: prices.cognito.freeMau,
    monthly: mauLevels.map((mau) => ({
      mau,
      thisService: cents(perMau * mau),
      cognitoEssentials: cents(billable(mau) * prices.cognito.essentialsPerMau),
      cognitoLite: cents(billable(mau) * prices.cognito.litePerMau),
    })),
  };
}
