import { createServer, request as httpRequest } from 'node:http';

/** An error answered in the AWS JSON protocols' shape, as the SDK parses it. */
export interface AwsErrorAnswer {
  status: number;
  /** e.g. `ProvisionedThroughputExceededException`, `KMSInternalException`. */
  type: string;
  message: string;
  /** More fields of the error body, e.g. a TransactionCanceledException's `CancellationReasons`. */
  details?: Record<string, unknown>;
}

export interface AwsJsonProxyHooks {
  /** Answer an operation (the `X-Amz-Target` action) with an error instead of forwarding it. */
  intercept?(operation: string, body: Buffer): AwsErrorAnswer | undefined;
  /** Rewrite a request body before it is forwarded (local endpoints check no signature). */
  rewriteRequest?(operation: string, body: Buffer): Buffer;
  /** See each answer that came back from the real endpoint. */
  observe?(operation: string, answer: Buffer): void;
}

export interface AwsJsonProxy {
  url: string;
  stop(): Promise<void>;
}

/**
 * A loopback reverse proxy in front of a local AWS JSON-protocol endpoint (DynamoDB Local, the KMS
 * stand-in), for the benchmark's meters and the tests' fault injection. It never runs in AWS: the local
 * stack's `interpose` option is the only way in.
 */
export async function startAwsJsonProxy(targetUrl: string, hooks: AwsJsonProxyHooks = {}): Promise<AwsJsonProxy> {
  const target = new URL(targetUrl);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const operation = String(incoming.headers['x-amz-target'] ?? 'unknown').split('.').pop()!;
      const fault = hooks.intercept?.(operation, Buffer.concat(chunks));
      if (fault) {
        outgoing.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': fault.type });
        outgoing.end(JSON.stringify({ ...fault.details, __type: fault.type, message: fault.message }));
        return;
      }
      const body = hooks.rewriteRequest ? hooks.rewriteRequest(operation, Buffer.concat(chunks)) : Buffer.concat(chunks);
      const headers = { ...incoming.headers, 'content-length': String(body.length), host: target.host };
      const forward = httpRequest({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers }, (answer) => {
        const answerChunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
        answer.on('end', () => {
          const answerBody = Buffer.concat(answerChunks);
          hooks.observe?.(operation, answerBody);
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
