import { createServer, request as httpRequest, type Server } from 'node:http';

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
 * A loopback reverse proxy in front of DynamoDB Local or the KMS stand-in that records every call with
 * its request, answer and the moments it started and ended, so the benchmark can tell which calls one
 * request made, which of them ran one after another, and what AWS would bill for them. Calls are kept in
 * the order they finished; the benchmark takes them away with {@link MeteringProxy.take}.
 */
export class MeteringProxy {
  private calls: MeteredCall[] = [];
  private server: Server | undefined;

  constructor(
    private readonly target: string,
    private readonly service: 'dynamodb' | 'kms',
  ) {}

  async start(): Promise<string> {
    const target = new URL(this.target);
    const server = createServer((incoming, outgoing) => {
      const startedAt = performance.now();
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const amzTarget = String(incoming.headers['x-amz-target'] ?? 'unknown');
        const operation = amzTarget.slice(amzTarget.lastIndexOf('.') + 1);
        const requestBody = Buffer.concat(chunks);
        const request = parse(requestBody);
        const forwardedBody =
          this.service === 'dynamodb' && itemOperations.has(operation) && request && typeof request === 'object'
            ? Buffer.from(JSON.stringify({ ...request, ReturnConsumedCapacity: 'TOTAL' }))
            : requestBody;
        const headers = { ...incoming.headers, 'content-length': String(forwardedBody.length), host: target.host };
        const forwarded = httpRequest(
          { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers },
          (answer) => {
            const answerChunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
            answer.on('end', () => {
              const answerBody = Buffer.concat(answerChunks);
              const parsed = parse(answerBody);
              this.calls.push({
                service: this.service,
                operation,
                startedAt,
                endedAt: performance.now(),
                request,
                status: answer.statusCode ?? 502,
                answer: parsed,
                localCapacity: localCapacity(operation, parsed),
              });
              // Recorded before it is answered: the handler cannot see the answer before the call is on record.
              outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
              outgoing.end(answerBody);
            });
          },
        );
        forwarded.on('error', () => {
          outgoing.writeHead(502);
          outgoing.end();
        });
        forwarded.end(forwardedBody);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no address');
    return `http://127.0.0.1:${address.port}`;
  }

  /** The calls finished since the last `take`, oldest first; they are not returned again. */
  take(): MeteredCall[] {
    const taken = this.calls;
    this.calls = [];
    return taken;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
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
