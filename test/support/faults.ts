import type { FaultRule } from './stack-process.js';

export type { FaultRule };

/**
 * The test stack's fault switch (test/support/stack-process.ts), through a named set of rules: a test
 * file replaces and clears only its own set, so files running in parallel never undo each other's faults.
 */
export interface FaultSwitch {
  /** Replaces this set's rules. */
  inject(rules: FaultRule[]): Promise<void>;
  clear(): Promise<void>;
}

export function faultSwitch(setName: string): FaultSwitch {
  const controlUrl = process.env.TWOFA_FAULT_CONTROL_URL;
  if (!controlUrl) throw new Error('TWOFA_FAULT_CONTROL_URL is not set: run the tests through jest (its global setup starts the stack)');
  const url = `${controlUrl}/${encodeURIComponent(setName)}`;
  const send = async (method: 'PUT' | 'DELETE', body?: string) => {
    const response = await fetch(url, { method, body });
    if (response.status !== 204) throw new Error(`fault switch answered ${response.status}`);
  };
  return {
    inject: (rules) => send('PUT', JSON.stringify(rules)),
    clear: () => send('DELETE'),
  };
}

/** AWS errors as DynamoDB (awsJson1_0) and KMS (awsJson1_1) send them, for `FaultRule`s. */
export const awsErrors = {
  dynamoThrottling: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'injected: throughput exceeded',
  },
  dynamoRequestThrottling: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
    message: 'injected: rate exceeded',
  },
  dynamoInternal: { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected: internal server error' },
  kmsInternal: { status: 500, type: 'KMSInternalException', message: 'injected: KMS failed' },
  kmsThrottling: { status: 400, type: 'ThrottlingException', message: 'injected: KMS rate exceeded' },
} as const satisfies Record<string, Pick<FaultRule, 'status' | 'type' | 'message'>>;

/** An invocation as the test stack measured it (local/api-gateway-bridge.ts's `InvocationRecord`). */
export interface MeasuredInvocation {
  /** The route key (`POST /v1/apps/{appId}/login`) or the platform function's name. */
  name: string;
  request: string;
  answer: string;
  timeoutMs: number;
  elapsedMs: number;
}

/**
 * Gives every invocation whose path or payload contains `scope` a timeout of `timeoutMs` (its Lambda context
 * says so), and reads back how long each took, as the stack measured it.
 */
export async function shortDeadline(scope: string, timeoutMs: number) {
  const controlUrl = process.env.TWOFA_DEADLINE_CONTROL_URL;
  if (!controlUrl) throw new Error('TWOFA_DEADLINE_CONTROL_URL is not set: run the tests through jest (its global setup starts the stack)');
  const url = `${controlUrl}/${encodeURIComponent(scope)}`;
  const response = await fetch(url, { method: 'PUT', body: JSON.stringify({ timeoutMs }) });
  if (response.status !== 204) throw new Error(`the deadline control answered ${response.status}`);
  return {
    invocations: async () => (await (await fetch(url)).json()) as MeasuredInvocation[],
    end: async () => {
      await fetch(url, { method: 'DELETE' });
    },
  };
}
