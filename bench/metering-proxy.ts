import { createServer, request as httpRequest, type Server } from 'node:http';

/** What one AWS API operation cost, as the proxy saw it. */
export interface OperationMeter {
  calls: number;
  readUnits: number;
  writeUnits: number;
}

/**
 * A reverse proxy in front of an AWS JSON-protocol endpoint (DynamoDB Local, the KMS stand-in) that counts
 * each operation (`X-Amz-Target`) and, for DynamoDB, asks for and adds up the consumed capacity, so the
 * benchmark measures request units instead of guessing them.
 */
export class MeteringProxy {
  readonly meters = new Map<string, OperationMeter>();
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const operation = String(incoming.headers['x-amz-target'] ?? 'unknown').split('.').pop()!;
        let body = Buffer.concat(chunks);
        const isDynamoDb = String(incoming.headers['x-amz-target'] ?? '').startsWith('DynamoDB_');
        if (isDynamoDb && body.length > 0) {
          // The signature is not checked locally, so the body can be amended: ask for consumed capacity.
          body = Buffer.from(JSON.stringify({ ...JSON.parse(body.toString('utf8')), ReturnConsumedCapacity: 'TOTAL' }));
        }
        const headers = { ...incoming.headers, 'content-length': String(body.length), host: target.host };
        const forward = httpRequest({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers }, (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            const answerBody = Buffer.concat(answerChunks);
            this.record(operation, isDynamoDb ? answerBody : null);
            outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
            outgoing.end(answerBody);
          });
        });
        forward.on('error', () => {
          outgoing.writeHead(502);
          outgoing.end();
        });
        forward.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no address');
    return `http://127.0.0.1:${address.port}`;
  }

  reset(): void {
    this.meters.clear();
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  private record(operation: string, dynamoDbAnswer: Buffer | null): void {
    const meter = this.meters.get(operation) ?? { calls: 0, readUnits: 0, writeUnits: 0 };
    meter.calls++;
    if (dynamoDbAnswer) {
      try {
        const parsed = JSON.parse(dynamoDbAnswer.toString('utf8')) as { ConsumedCapacity?: Capacity | Capacity[] };
        for (const capacity of [parsed.ConsumedCapacity ?? []].flat()) {
          meter.readUnits += capacity.ReadCapacityUnits ?? (operation.startsWith('Get') || operation === 'Query' ? (capacity.CapacityUnits ?? 0) : 0);
          meter.writeUnits += capacity.WriteCapacityUnits ?? (!operation.startsWith('Get') && operation !== 'Query' ? (capacity.CapacityUnits ?? 0) : 0);
        }
      } catch {
        // An error answer carries no capacity.
      }
    }
    this.meters.set(operation, meter);
  }
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}
