import { DeadlineExceededError, currentDeadline } from '../commons/request-deadline.js';

/** How long one attempt of a DynamoDB, KMS, EventBridge or SQS call may take, connection included, before it is abandoned. */
const requestTimeoutMs = 2_000;
const connectionTimeoutMs = 1_000;
const maxAttempts = 3;

/** The same limits for the lean DynamoDB and KMS client (functions/adapters/aws-json/client.ts). */
export const awsCallLimits = { requestTimeoutMs, connectionTimeoutMs, maxAttempts } as const;

/**
 * What every AWS SDK client of a step (EventBridge, SQS, SES) is built with; the DynamoDB and KMS calls use the
 * same limits through `awsCallLimits`. Without a request timeout the SDK waits on a hanging
 * call for its 300 s socket default, long past the function's timeout, and the call's continuation runs
 * on in a later invocation. With it, a hanging attempt fails as a `TimeoutError` the SDK retries. Three
 * attempts of up to 2 s can still outlast what is left of an invocation: `withRequestDeadlines` bounds them
 * by the request's deadline. Both services answer in milliseconds when healthy.
 */
export const awsClientSettings = {
  maxAttempts,
  requestHandler: { connectionTimeout: connectionTimeoutMs, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
} as const;

type Next = (args: unknown) => Promise<unknown>;
type Middleware = (next: Next, context: Record<string, unknown>) => Next;
interface MiddlewareStack {
  add(middleware: Middleware, options: { step: 'initialize' | 'deserialize'; name: string; priority: 'high' | 'low' }): void;
}

/**
 * Where the SDK's retry middleware looks for a call's abort signal (`SMITHY_CONTEXT_KEY` of @smithy/types):
 * the per-call `abortSignal` of `client.send(command, { abortSignal })` lands there.
 */
const smithyContextKey = '__smithy_context';

/**
 * Bounds every call of `client` by the deadline of the request it serves (`withinDeadline`), with the SDK's
 * own retry strategy: the deadline's signal becomes the call's abort signal, so the SDK neither retries nor
 * waits out a backoff once it has fired, and each attempt still in flight then is given up at once. Calls
 * made outside a request (module load, the local stack's seeding) keep the plain settings above.
 */
export function withRequestDeadlines<C extends { middlewareStack: object }>(client: C): C {
  const stack = client.middlewareStack as MiddlewareStack;
  stack.add(
    (next, context) => (args) => {
      const deadline = currentDeadline();
      const smithyContext = (context[smithyContextKey] ?? {}) as { abortSignal?: unknown };
      if (deadline && smithyContext.abortSignal === undefined)
        context[smithyContextKey] = { ...smithyContext, abortSignal: deadline.signal };
      return next(args);
    },
    { step: 'initialize', name: 'requestDeadlineSignal', priority: 'high' },
  );
  stack.add((next) => (args) => attemptWithinDeadline(next, args), {
    step: 'deserialize',
    name: 'requestDeadlineAttempt',
    priority: 'low',
  });
  return client;
}

/** One attempt of a call: not sent once the deadline has passed, abandoned when it passes in flight. */
function attemptWithinDeadline(next: Next, args: unknown): Promise<unknown> {
  const signal = currentDeadline()?.signal;
  if (!signal) return next(args);
  if (signal.aborted) return Promise.reject(new DeadlineExceededError());
  return new Promise((resolve, reject) => {
    const giveUp = () => reject(new DeadlineExceededError());
    signal.addEventListener('abort', giveUp, { once: true });
    next(args)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', giveUp));
  });
}
