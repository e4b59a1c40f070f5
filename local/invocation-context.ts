import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which deployed function the code running now stands for: the step whose handler the API Gateway bridge or
 * the Lambda Invoke endpoint is running, or the event publisher together with the stream reads that Lambda's
 * event source mapping makes with the publisher's role. The test stack uses it to attribute every AWS call to
 * the function whose IAM role would have to allow it (test/support/aws-call-recorder.ts).
 */
const invocations = new AsyncLocalStorage<string>();

/** Runs `run` (and everything it starts) as the function of `step`, e.g. `login-verify`. */
export function asFunctionOf<T>(step: string, run: () => T): T {
  return invocations.run(step, run);
}

/** The step whose function the calling code runs as, or undefined outside any invocation (the demo seed). */
export function currentFunctionStep(): string | undefined {
  return invocations.getStore();
}
