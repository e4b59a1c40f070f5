import { type AwsJsonProxy, startAwsJsonProxy } from '../local/aws-json-proxy.js';

/** One call a handler made to DynamoDB or KMS, as it went over the wire. */
export interface MeteredCall {
  service: 'dynamodb' | 'kms';
  /** The `X-Amz-Target` action: `GetItem`, `TransactWriteItems`, `Decrypt`, … */
  operation: string;
  /** `performance.now()` when the call reached the proxy, and when its answer left it. */
  startedAt: number;
  endedAt: number;
  /** The body the handler sent, parsed (before the proxy asked DynamoDB Local for its capacity figures). */
  request: unknown;
  status: number;
  /** The answer's body, parsed: the items a read returned, an error's `__type`. */
  answer: unknown;
  /** What DynamoDB Local reported as consumed (`ReturnConsumedCapacity: TOTAL`), for comparison only. */
  localCapacity: { readUnits: number; writeUnits: number };
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** The DynamoDB operations that take `ReturnConsumedCapacity`. */
const itemOperations = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);
const readOperations = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/**
 * Meters the calls through the local stack's loopback proxy (`local/aws-json-proxy.ts`) in front of DynamoDB
 * Local or the KMS stand-in: every call with its request, answer and the moments it started and ended, so
 * the benchmark can tell which calls one request made, which of them ran one after another, and what AWS
 * would bill for them. Calls are kept in the order they finished; the benchmark takes them away with
 * {@link MeteringProxy.take}.
 */
export class MeteringProxy {
  private calls: MeteredCall[] = [];
  private proxy: AwsJsonProxy | undefined;

  constructor(
    private readonly target: string,
    private readonly service: 'dynamodb' | 'kms',
  ) {}

  async start(): Promise<string> {
    this.proxy = await startAwsJsonProxy(this.target, {
      // DynamoDB Local's own capacity figures, asked for on every item operation, for comparison only.
      rewriteRequest: (operation, body) => {
        const request = parse(body);
        return this.service === 'dynamodb' && itemOperations.has(operation) && request && typeof request === 'object'
          ? Buffer.from(JSON.stringify({ ...request, ReturnConsumedCapacity: 'TOTAL' }))
          : body;
      },
      observe: (call) => {
        const answer = parse(call.answer);
        this.calls.push({
          service: this.service,
          operation: call.operation,
          startedAt: call.startedAt,
          endedAt: call.endedAt,
          request: parse(call.request),
          status: call.status,
          answer,
          localCapacity: localCapacity(call.operation, answer),
        });
      },
    });
    return this.proxy.url;
  }

  /** The calls finished since the last `take`, oldest first; they are not returned again. */
  take(): MeteredCall[] {
    const taken = this.calls;
    this.calls = [];
    return taken;
  }

  async stop(): Promise<void> {
    await this.proxy?.stop();
  }
}

function parse(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function localCapacity(operation: string, answer: unknown): MeteredCall['localCapacity'] {
  const capacity = { readUnits: 0, writeUnits: 0 };
  if (!answer || typeof answer !== 'object') return capacity;
  const reads = readOperations.has(operation);
  for (const entry of [(answer as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity ?? []].flat()) {
    capacity.readUnits += entry.ReadCapacityUnits ?? (reads ? (entry.CapacityUnits ?? 0) : 0);
    capacity.writeUnits += entry.WriteCapacityUnits ?? (reads ? 0 : (entry.CapacityUnits ?? 0));
  }
  return capacity;
}
