import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What Lambda's Node.js runtime provides when one execution environment serves several invocations at once
 * (`AWS_LAMBDA_MAX_CONCURRENCY`, Lambda Managed Instances): `globalThis.awslambda.InvokeStore`, in which
 * Powertools keeps each invocation's log keys, Lambda context, correlation id and metrics apart. The local
 * stack serves every request of every function in one process, concurrently, so it does the same; the
 * interface is that of `@aws/lambda-invoke-store`, which the runtime uses.
 */
type InvocationState = Record<string | symbol, unknown>;

const invocations = new AsyncLocalStorage<InvocationState>();
const requestIdKey = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
const traceIdKey = Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID');

const invokeStore = {
  getContext: () => invocations.getStore(),
  hasContext: () => invocations.getStore() !== undefined,
  get: (key: string | symbol) => invocations.getStore()?.[key],
  set: (key: string | symbol, value: unknown) => {
    const state = invocations.getStore();
    if (!state) throw new Error('No context available');
    state[key] = value;
  },
  run: <T>(state: InvocationState, work: () => T) => invocations.run(state, work),
  getRequestId: () => (invocations.getStore()?.[requestIdKey] as string | undefined) ?? '-',
  getXRayTraceId: () => invocations.getStore()?.[traceIdKey] as string | undefined,
  getTenantId: () => undefined,
};

/** Installs the store; every handler invocation of the local stack then runs in `asInvocation`. */
export function installInvokeStore(): void {
  const global = globalThis as { awslambda?: { InvokeStore?: unknown } };
  global.awslambda ??= {};
  global.awslambda.InvokeStore = invokeStore;
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';
}

/** Runs one invocation (`awsRequestId`) with state of its own, as the runtime does. */
export function asInvocation<T>(awsRequestId: string, work: () => Promise<T>): Promise<T> {
  return invokeStore.run({ [requestIdKey]: awsRequestId }, work);
}
