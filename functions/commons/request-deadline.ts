import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Kept back from the time Lambda leaves an invocation: once the deadline has passed, the step still has this
 * long to answer 503 itself (and to write its log lines and metrics) before the function would be cut off
 * and API Gateway would answer a bare 5xx.
 */
const deadlineMarginMs = 1_000;

/** The deadline of the request being served, and a signal that fires when it passes. */
interface RequestDeadline {
  /** Epoch ms. */
  at: number;
  signal: AbortSignal;
}

const current = new AsyncLocalStorage<RequestDeadline>();

/** The deadline (epoch ms) of an invocation: what Lambda's context says is left, less the margin. */
export function deadlineOf(context: { getRemainingTimeInMillis(): number }): number {
  return Date.now() + context.getRemainingTimeInMillis() - deadlineMarginMs;
}

/**
 * Runs `work` with `deadline` as the request's deadline: every AWS call it makes, on whatever client, stops
 * retrying then and gives up an attempt still in flight (see `withRequestDeadlines`). Scoped by async
 * context, so concurrent requests in one process (the local stack) each keep their own.
 */
export function withinDeadline<T>(deadline: number, work: () => Promise<T>): Promise<T> {
  return current.run({ at: deadline, signal: AbortSignal.timeout(Math.max(0, deadline - Date.now())) }, work);
}

/** The deadline of the request being served, if any. */
export function currentDeadline(): RequestDeadline | undefined {
  return current.getStore();
}

/** What an AWS call answers once its request's deadline has passed; the HTTP steps answer it with 503. */
export class DeadlineExceededError extends Error {
  constructor() {
    super('The request deadline passed before the dependency answered.');
    this.name = 'DeadlineExceeded';
  }
}
