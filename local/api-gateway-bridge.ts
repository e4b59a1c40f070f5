import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { enforcementRemindersStep, functionTimeoutSeconds, httpSteps, notFoundStep, platformSteps } from '../functions/routes.js';
import { asFunctionOf } from './invocation-context.js';
import { asInvocation } from './invoke-store.js';
import { buildPortalSite, isApiPath } from './portal-site.js';

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
type PlatformHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Requests larger than this are cut off before a handler sees them (API Gateway's own cap is 10 MB). */
const maxRequestBytes = 1024 * 1024;

interface CompiledRoute {
  step: string;
  routeKey: string;
  method: string;
  pattern: RegExp;
  paramNames: string[];
  handler: HttpHandler;
}

/** Loads the very handler modules Lambda runs, one per step. */
async function loadHandler<T>(step: string): Promise<T> {
  const module = (await import(`../functions/${step}/handler.ts`)) as { handler: T };
  return module.handler;
}

/** The deployed functions' timeout, which each local invocation gets as its deadline unless told otherwise. */
const defaultInvocationTimeoutMs = functionTimeoutSeconds * 1000;

/** Lambda's Node.js 22 runtime still hands every handler these legacy callbacks, and the `Context` type still requires them. */
const ignore = () => undefined;
// eslint-disable-next-line @typescript-eslint/no-deprecated -- the Context Lambda passes still has them, so the local one does too
const legacyCallbacks: Pick<Context, 'done' | 'fail' | 'succeed'> = { done: ignore, fail: ignore, succeed: ignore };

/** The context Lambda hands an invocation of `functionName` that may run `timeoutMs`. */
export function lambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    ...legacyCallbacks,
  };
}

/**
 * The URL of a request target, which is a path: resolved against a base, `//host/…` would read as another
 * host's URL (served as its path) and `//` would throw, a 500 here and a crash in the Invoke endpoint.
 */
function targetUrl(target: string | undefined): URL {
  return new URL(`http://localhost${target?.startsWith('/') ? target : `/${target ?? ''}`}`);
}

/** A percent-decoded path segment, or undefined when it is no valid encoding (`%zz`). */
function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxRequestBytes) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Throws on bytes that are not UTF-8, where `Buffer#toString` would replace each with U+FFFD. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The body as API Gateway passes it: text when it is UTF-8, base64 (`isBase64Encoded`) when it cannot be
 * passed as text. Decoding invalid bytes here would turn each into U+FFFD before the handler could judge
 * them, and make different bytes (Latin-1 `ä` and `ü`) the same text.
 */
function eventBody(body: Buffer): { body?: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { isBase64Encoded: false };
  try {
    return { body: strictUtf8.decode(body), isBase64Encoded: false };
  } catch {
    return { body: body.toString('base64'), isBase64Encoded: true };
  }
}

/** What an invocation is about: for an HTTP step its route key and path, for a platform function its name and payload. */
export interface InvocationSubject {
  name: string;
  request: string;
}

/** How long an invocation may run, by its subject; undefined: the default. */
export type InvocationTimeout = number | ((subject: InvocationSubject) => number | undefined);

/** One invocation as the bridge saw it: the time it was given and the time it took. */
export interface InvocationRecord extends InvocationSubject {
  /** The HTTP status code, or a platform function's `errorType` (`ok` when it succeeded). */
  answer: string;
  /** What the invocation's context said was left at its start: the function's timeout. */
  timeoutMs: number;
  /** From handing the event to the handler to its answer. */
  elapsedMs: number;
}

/**
 * Serves the HTTP API the way API Gateway (HTTP API, payload 2.0) does: each request becomes a proxy
 * event for the step whose route matches, `$default` (not-found) otherwise. GETs outside `/v1` get the
 * reference portal (portal/), which uses the API like any other client. `invocationTimeoutMs` may depend on
 * the event (a test's short deadline); `observe` sees each invocation once answered.
 */
export async function startApiGatewayBridge(options: {
  port: number;
  host: string;
  invocationTimeoutMs?: InvocationTimeout;
  observe?: (invocation: InvocationRecord) => void;
}): Promise<{ url: string; server: Server }> {
  const routes: CompiledRoute[] = [];
  for (const step of httpSteps) {
    // `{name}` matches one path segment; a greedy `{name+}` (API Gateway's proxy) matches the rest.
    const paramNames = [...step.path.matchAll(/\{(\w+)\+?\}/g)].map((match) => match[1] ?? '');
    const pattern = new RegExp(`^${step.path.replace(/\{\w+\+\}/g, '(.+)').replace(/\{\w+\}/g, '([^/]+)')}$`);
    routes.push({
      step: step.step,
      routeKey: `${step.method} ${step.path}`,
      method: step.method,
      pattern,
      paramNames,
      handler: await loadHandler<HttpHandler>(step.step),
    });
  }
  const notFound = await loadHandler<HttpHandler>(notFoundStep.step);
  const portal = await buildPortalSite();

  // Idle keep-alive connections stay open a minute, well past the 4-5 s clients pool them for (fetch's undici,
  // the SDK's agents): a client whose own timer runs late on a loaded machine then never reuses a connection
  // the server has just closed ("other side closed"), which Node's default of 5 s let happen.
  const server = createServer((request, response) => {
    void serve(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } }));
    });
  });
  server.keepAliveTimeout = 60_000;

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = targetUrl(request.url);
    if ((request.method === 'GET' || request.method === 'HEAD') && !isApiPath(url.pathname)) {
      portal.serve(url.pathname, response, request.method === 'HEAD');
      return;
    }
    const body = await readBody(request);
    if (body === 'too_large') {
      response.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      response.end(JSON.stringify({ error: { code: 'payload_too_large', message: 'The body is too large.' } }));
      return;
    }
    const method = request.method ?? 'GET';
    let matched: { route: CompiledRoute; params: Record<string, string> } | undefined;
    for (const route of routes) {
      const match = route.method === method ? route.pattern.exec(url.pathname) : null;
      if (!match) continue;
      try {
        matched = {
          route,
          params: Object.fromEntries(route.paramNames.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')])),
        };
      } catch {
        matched = undefined;
      }
      break;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
    const routeKey = matched?.route.routeKey ?? '$default';
    const now = new Date();
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
      ...(matched && Object.keys(matched.params).length > 0 ? { pathParameters: matched.params } : {}),
      ...eventBody(body),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
    };
    const handler = matched?.route.handler ?? notFound;
    const subject = { name: routeKey, request: url.pathname };
    const timeoutMs = timeoutOf(options.invocationTimeoutMs, subject);
    const context = lambdaContext(routeKey, timeoutMs);
    const started = performance.now();
    const result = await asFunctionOf(matched?.route.step ?? notFoundStep.step, () =>
      asInvocation(context.awsRequestId, () => handler(event, context)),
    );
    options.observe?.({ ...subject, answer: String(result.statusCode ?? 200), timeoutMs, elapsedMs: performance.now() - started });
    const responseHeaders: Record<string, string> = {};
    // The handler module's answer as it comes, not as its type promises: a header may still be undefined or null.
    for (const [name, value] of Object.entries<string | number | boolean | null | undefined>(result.headers ?? {})) {
      if (value !== undefined && value !== null && value !== '') responseHeaders[name.toLowerCase()] = String(value);
    }
    response.writeHead(result.statusCode ?? 200, responseHeaders);
    response.end(result.body ?? '');
  }

  return listen(server, options);
}

function timeoutOf(timeout: InvocationTimeout | undefined, subject: InvocationSubject): number {
  return (typeof timeout === 'function' ? timeout(subject) : timeout) ?? defaultInvocationTimeoutMs;
}

/** Whether a Host header names this machine's loopback interface (any port): 127.0.0.1, localhost or [::1]. */
function isLoopbackHost(host: string | undefined): boolean {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::\d{1,5})?$/.exec(host?.trim().toLowerCase() ?? '');
  const name = match?.[1] ?? match?.[2];
  return name === '127.0.0.1' || name === 'localhost' || name === '::1';
}

/**
 * Why the Invoke endpoint refuses a request, or undefined when it may go on. Listening on loopback keeps
 * other machines out but not the browser on this one: any web page can POST to 127.0.0.1 (a `text/plain`
 * body needs no preflight), and a page whose name an attacker re-points at 127.0.0.1 (DNS rebinding) can
 * even read the answers. Browsers send `Origin` with every POST and the page's own name as `Host`; the
 * AWS SDK sends no `Origin` and the endpoint's loopback address as `Host`.
 */
function invokeRefusal(request: IncomingMessage): string | undefined {
  if (request.headers.origin !== undefined) return 'The local Invoke endpoint does not take requests from web pages.';
  if (!isLoopbackHost(request.headers.host)) return 'The local Invoke endpoint answers only requests addressed to a loopback host.';
  return undefined;
}

/**
 * Serves the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) for the platform
 * functions and the enrollment-deadline reminders, so `npm run cli` uses the real `@aws-sdk/client-lambda` locally as against a deployment.
 * It listens on loopback only: like the deployed functions, these have no public route. Requests from a
 * browser (an `Origin` header, or a `Host` that is not loopback) get 403 and change nothing.
 */
export async function startLambdaInvokeEndpoint(options: {
  port: number;
  invocationTimeoutMs?: InvocationTimeout;
  observe?: (invocation: InvocationRecord) => void;
}): Promise<{ url: string; server: Server }> {
  const functions = new Map<string, { step: string; handler: PlatformHandler }>();
  // The platform functions, and the scheduled reminders (EventBridge Scheduler invokes them so in AWS).
  for (const { step, functionName } of [...platformSteps, enforcementRemindersStep])
    functions.set(functionName, { step, handler: await loadHandler<PlatformHandler>(step) });

  const server = createServer((request, response) => {
    void (async () => {
      const refusal = invokeRefusal(request);
      if (refusal) {
        // Before the body is read or any function looked up: a refused request reaches no handler.
        request.resume();
        response.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException', connection: 'close' });
        response.end(JSON.stringify({ Type: 'User', message: refusal }));
        return;
      }
      const encodedName = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(targetUrl(request.url).pathname)?.[1];
      const name = encodedName === undefined ? undefined : decodedSegment(encodedName);
      const platformFunction = name === undefined ? undefined : functions.get(name);
      const body = await readBody(request);
      if (encodedName === undefined || !platformFunction || request.method !== 'POST' || body === 'too_large') {
        response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
        response.end(JSON.stringify({ Type: 'User', message: 'Function not found' }));
        return;
      }
      let payload: unknown;
      try {
        payload = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        response.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'InvalidRequestContentException' });
        response.end(JSON.stringify({ Type: 'User', message: 'Could not parse request body into json' }));
        return;
      }
      const subject = { name: encodedName, request: body.toString('utf8') };
      const timeoutMs = timeoutOf(options.invocationTimeoutMs, subject);
      const context = lambdaContext(encodedName, timeoutMs);
      const started = performance.now();
      const observe = (answer: string) => options.observe?.({ ...subject, answer, timeoutMs, elapsedMs: performance.now() - started });
      try {
        const result = await asFunctionOf(platformFunction.step, () =>
          asInvocation(context.awsRequestId, () => platformFunction.handler(payload, context)),
        );
        observe('ok');
        response.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
        response.end(JSON.stringify(result ?? null));
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        observe(failure.name);
        response.writeHead(200, {
          'content-type': 'application/json',
          'x-amz-function-error': 'Unhandled',
          'x-amz-executed-version': '$LATEST',
        });
        response.end(JSON.stringify({ errorType: failure.name, errorMessage: failure.message }));
      }
    })().catch(() => {
      // Reading a request that broke off mid-body throws: answer what can be answered, and keep the
      // rejection from going unhandled, which would end the whole local stack.
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ Type: 'Service', message: 'The request could not be read.' }));
    });
  });
  return listen(server, { port: options.port, host: '127.0.0.1' });
}

async function listen(server: Server, options: { port: number; host: string }): Promise<{ url: string; server: Server }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server has no address');
  return { url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${address.port}`, server };
}
