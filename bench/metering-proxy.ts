import { type AwsJsonProxy, startAwsJsonProxy } from '../local/aws-json-proxy.js';

/** What one AWS API operation cost, as the proxy saw it. */
export interface OperationMeter {
  calls: number;
  readUnits: number;
  writeUnits: number;
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/**
 * Counts each operation sent to a local AWS endpoint and, for DynamoDB, asks for and adds up the consumed
 * capacity, so the benchmark measures request units instead of guessing them.
 */
export class MeteringProxy {
  readonly meters = new Map<string, OperationMeter>();
  private proxy: AwsJsonProxy | undefined;

  constructor(
    private readonly target: string,
    private readonly service: 'dynamodb' | 'kms',
  ) {}

  async start(): Promise<string> {
    this.proxy = await startAwsJsonProxy(this.target, {
      rewriteRequest: (_operation, body) =>
        this.service === 'dynamodb' && body.length > 0
          ? Buffer.from(JSON.stringify({ ...JSON.parse(body.toString('utf8')), ReturnConsumedCapacity: 'TOTAL' }))
          : body,
      observe: (operation, answer) => this.record(operation, this.service === 'dynamodb' ? answer : null),
    });
    return this.proxy.url;
  }

  reset(): void {
    this.meters.clear();
  }

  async stop(): Promise<void> {
    await this.proxy?.stop();
  }

  private record(operation: string, dynamoDbAnswer: Buffer | null): void {
    const meter = this.meters.get(operation) ?? { calls: 0, readUnits: 0, writeUnits: 0 };
    meter.calls++;
    if (dynamoDbAnswer) {
      const reads = operation.startsWith('Get') || operation === 'Query';
      try {
        const parsed = JSON.parse(dynamoDbAnswer.toString('utf8')) as { ConsumedCapacity?: Capacity | Capacity[] };
        for (const capacity of [parsed.ConsumedCapacity ?? []].flat()) {
          meter.readUnits += capacity.ReadCapacityUnits ?? (reads ? (capacity.CapacityUnits ?? 0) : 0);
          meter.writeUnits += capacity.WriteCapacityUnits ?? (reads ? 0 : (capacity.CapacityUnits ?? 0));
        }
      } catch {
        // An error answer carries no capacity.
      }
    }
    this.meters.set(operation, meter);
  }
}
