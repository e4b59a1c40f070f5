import { createServer, type IncomingHttpHeaders, request as httpRequest } from 'node:http';

/** An error answered in the AWS JSON protocols' shape, as the SDK parses it. */
export interface AwsErrorAnswer {
  status: number;
  /** e.g. `ProvisionedThroughputExceededException`, `KMSInternalException`. */
  type: string;
  message: string;
  /** More fields of the error body, e.g. a TransactionCanceledException's `CancellationReasons`. */
  details?: Record<string, unknown>;
}

/** What to do with one call instead of forwarding it at once. */
export interface Interception {
  /** Hold the call this long first: a slow dependency, or a hanging one when the caller gives up before. */
  delayMs?: number;
  /** Answer with this error (after the delay) instead of forwarding the call. */
  error?: AwsErrorAnswer;
}

export interface AwsJsonProxyHooks {
  /**
   * See each call as it arrives, before it is held, failed or forwarded: with its headers, e.g. the SDK's
   * `amz-sdk-invocation-id`, which tells whose call it is.
   */
  arrive?(call: ArrivingCall): void;
  /** Delay an operation (the `X-Amz-Target` action) or answer it with an error instead of forwarding it. */
  intercept?(operation: string, body: Buffer): Interception | undefined;
  /** Rewrite a request body before it is forwarded (local endpoints check no signature). */
  rewriteRequest?(operation: string, body: Buffer): Buffer;
  /** See each call that was forwarded, once its answer came back from the real endpoint. */
  observe?(call: ObservedCall): void;
}

/** A call as it reached the proxy. */
interface ArrivingCall {
  /** The `X-Amz-Target` action: `GetItem`, `TransactWriteItems`, `Decrypt`, … */
  operation: string;
  request: Buffer;
  headers: IncomingHttpHeaders;
}

/** A forwarded call as it went over the wire. */
interface ObservedCall {
  /** The `X-Amz-Target` action: `GetItem`, `TransactWriteItems`, `Decrypt`, … */
  operation: string;
  /** The body as the caller sent it (before `rewriteRequest`). */
  request: Buffer;
  status: number;
  answer: Buffer;
  /** `performance.now()` when the call reached the proxy, and when its answer was about to leave it. */
  startedAt: number;
  endedAt: number;
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
    const startedAt = performance.now();
    const chunks: Buffer[] = [];
    let callerGone = false;
    outgoing.once('close', () => (callerGone = !outgoing.writableFinished));
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const amzTarget = String(incoming.headers['x-amz-target'] ?? 'unknown');
      const operation = amzTarget.slice(amzTarget.lastIndexOf('.') + 1);
      hooks.arrive?.({ operation, request: Buffer.concat(chunks), headers: incoming.headers });
      const interception = hooks.intercept?.(operation, Buffer.concat(chunks));
      const answer = () => {
        // A call whose caller gave up while it was held is dropped, like a request lost on the way: it
        // neither answers nor reaches the dependency.
        if (callerGone) return;
        if (interception?.error) {
          const fault = interception.error;
          outgoing.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': fault.type });
          outgoing.end(JSON.stringify({ ...fault.details, __type: fault.type, message: fault.message }));
          return;
        }
        forward(operation, Buffer.concat(chunks));
      };
      if (interception?.delayMs) setTimeout(answer, interception.delayMs);
      else answer();
    });

    function forward(operation: string, requestBody: Buffer): void {
      const body = hooks.rewriteRequest ? hooks.rewriteRequest(operation, requestBody) : requestBody;
      const headers = { ...incoming.headers, 'content-length': String(body.length), host: target.host };
      const forwarded = httpRequest(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            const answerBody = Buffer.concat(answerChunks);
            const status = answer.statusCode ?? 502;
            // Observed before it is answered: the caller cannot see the answer before the call is on record.
            hooks.observe?.({ operation, request: requestBody, status, answer: answerBody, startedAt, endedAt: performance.now() });
            outgoing.writeHead(status, answer.headers);
            outgoing.end(answerBody);
          });
        },
      );
      forwarded.on('error', () => {
        outgoing.writeHead(502);
        outgoing.end();
      });
      forwarded.end(body);
    }
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
