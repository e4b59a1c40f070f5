process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { InvocationRecord, InvocationSubject } from '../../local/api-gateway-bridge.js';
import { type AwsErrorAnswer, type Interception, startAwsJsonProxy } from '../../local/aws-json-proxy.js';
import { AwsCallRecorder } from './aws-call-recorder.js';
import { recordedCallsFile } from './aws-calls.js';
import { meterPasswordHashing, serveWorkMeter, startWorkMeter } from './stack-work-meter.js';

// Before the stack's modules load (hence the dynamic import of local/stack.js below), so that they get the
// metered Argon2 libraries.
meterPasswordHashing();

/**
 * The integration tests' stack: the same `startLocalStack` that `npm start` runs, plus a fault switch
 * that lives here in test support, not in production paths. A loopback proxy sits between the handlers
 * and DynamoDB Local / the KMS stand-in and answers the operations a test names with an AWS error, or
 * holds them (a slow or hanging dependency).
 *
 * Control (loopback), with rules `[{service, operation?, bodyIncludes, status?, type?, message?, details?,
 * times?, after?, delayMs?}]`: `PUT /faults` replaces the default set of rules, `POST /faults` adds to it,
 * `DELETE /faults` clears it, `DELETE /faults?bodyIncludes=<id>` removes only those of one test's app or
 * user. `PUT /faults/<set>` and `DELETE /faults/<set>` replace and clear a named set, so a test file's
 * rules never touch another's. Every set applies at once.
 *
 * Deadlines: `PUT /deadlines/<scope>` with `{"timeoutMs": n}` gives every invocation whose path (an HTTP step)
 * or payload (a platform function) contains `<scope>` (an app id, an email) that timeout instead of the
 * stack's 60 s, so a test can watch a step answer inside a short deadline; `GET /deadlines/<scope>` lists those
 * invocations as the stack measured them (`InvocationRecord`: the timeout given and the time taken);
 * `DELETE /deadlines/<scope>` ends it.
 *
 * The same control server serves the work meter (stack-work-meter.ts) under `/work/<id>`.
 */
export interface FaultRule extends Partial<AwsErrorAnswer> {
  service: 'dynamodb' | 'kms' | 'events' | 'streams' | 'sqs';
  /** The `X-Amz-Target` action, e.g. `GetItem`, `Decrypt`; every operation when absent. */
  operation?: string;
  /**
   * Only calls whose request body contains this (an app or user id; every one of several), so parallel
   * test files are unaffected.
   */
  bodyIncludes: string | string[];
  /** How many matching calls fail (or are held); every one until cleared when absent. */
  times?: number;
  /** How many matching calls pass untouched before the rule applies: fail the second read, not the first. */
  after?: number;
  /** Hold matching calls this long; then answer the error (`status` and `type` given) or forward them. */
  delayMs?: number;
}

const defaultSet = 'default';
const faultSets = new Map<string, FaultRule[]>();

function faultFor(service: FaultRule['service'], operation: string, body: Buffer): Interception | undefined {
  const text = body.toString('utf8');
  const rule = [...faultSets.values()]
    .flat()
    .find(
      (candidate) =>
        candidate.service === service &&
        (!candidate.operation || candidate.operation === operation) &&
        [candidate.bodyIncludes].flat().every((part) => text.includes(part)) &&
        (candidate.times ?? 1) > 0,
    );
  if (!rule) return undefined;
  if (rule.after) {
    rule.after--;
    return undefined;
  }
  if (rule.times !== undefined) rule.times--;
  const error =
    rule.status !== undefined && rule.type !== undefined
      ? { status: rule.status, type: rule.type, message: rule.message ?? 'injected by the test', details: rule.details }
      : undefined;
  return { delayMs: rule.delayMs, error };
}

/** Short deadlines by scope, and the invocations each covered. */
const deadlines = new Map<string, { timeoutMs: number; invocations: InvocationRecord[] }>();
const deadlineOf = (subject: InvocationSubject) => [...deadlines].find(([scope]) => subject.request.includes(scope))?.[1];

async function main(): Promise<void> {
  const stops: (() => Promise<void>)[] = [];
  const meteredEndpoints = new Map<string, string>();
  // Every AWS call of every function, for the least-privilege proof (test/least-privilege).
  const recorder = new AwsCallRecorder(recordedCallsFile());
  const { startLocalStack } = await import('../../local/stack.js');
  const stack = await startLocalStack({
    port: 0,
    lambdaPort: 0,
    host: '127.0.0.1',
    demoAdminPassword: process.env.DEMO_ADMIN_PASSWORD,
    // In the test run's temp folder: the tests read each email there, and the leak scan searches them.
    mailDir: process.env.MAIL_DIR,
    // The security tests send bursts of 50 requests that each hash a password; Lambda would run them on
    // 50 instances, this process runs them one after another. Tests that care about the deployed timeout
    // (a hanging dependency) measure it themselves.
    invocationTimeoutMs: (subject) => deadlineOf(subject)?.timeoutMs ?? 60_000,
    observeInvocation: (invocation) => deadlineOf(invocation)?.invocations.push(invocation),
    interpose: async (service, endpoint) => {
      const proxy = await startAwsJsonProxy(endpoint, {
        // The dead-letter queue's SendMessage is not recorded: the proof has no placeholder ARN for a queue
        // (test/least-privilege excepts it by name).
        arrive: service === 'sqs' ? undefined : ({ operation, request, headers }) => recorder.arrive(service, operation, request, headers),
        intercept: (operation, body) => faultFor(service, operation, body),
      });
      stops.push(() => proxy.stop());
      meteredEndpoints.set(proxy.url, service);
      return proxy.url;
    },
  });
  recorder.started();
  startWorkMeter(meteredEndpoints);
  const control = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        const url = new URL(request.url ?? '/', 'http://localhost');
        if (serveWorkMeter(request.method, url.pathname, response)) return;
        const deadlineScope = /^\/deadlines\/(.+)$/.exec(url.pathname)?.[1];
        if (deadlineScope !== undefined) {
          const scope = decodeURIComponent(deadlineScope);
          if (request.method === 'GET') {
            response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(deadlines.get(scope)?.invocations ?? []));
            return;
          }
          if (request.method === 'PUT') {
            const { timeoutMs } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { timeoutMs: number };
            deadlines.set(scope, { timeoutMs, invocations: [] });
          } else deadlines.delete(scope);
          response.writeHead(204).end();
          return;
        }
        const set = /^\/faults(?:\/([\w.-]+))?$/.exec(url.pathname)?.[1] ?? defaultSet;
        const only = url.searchParams.get('bodyIncludes');
        const body = () => JSON.parse(Buffer.concat(chunks).toString('utf8')) as FaultRule[];
        if (request.method === 'PUT') faultSets.set(set, body());
        else if (request.method === 'POST') faultSets.set(set, [...(faultSets.get(set) ?? []), ...body()]);
        else if (request.method === 'DELETE' && only !== null)
          faultSets.set(
            set,
            (faultSets.get(set) ?? []).filter((rule) => rule.bodyIncludes !== only),
          );
        else if (request.method === 'DELETE') faultSets.delete(set);
        response.writeHead(204).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', () => resolve()));
  const address = control.address();
  const controlUrl = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';

  const shutdown = async () => {
    control.close();
    await stack.stop();
    for (const stop of stops) await stop();
    recorder.finish();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // In the stack's log, so an unexpected stop during a run (another process's signal) can be told from a crash.
      console.error(`[test stack] ${signal} received, stopping`);
      void shutdown();
    });
  }
  // Everything but its stop function, which is no data.
  const info = Object.fromEntries(Object.entries(stack).filter(([, value]) => typeof value !== 'function'));
  // Written aside and renamed into place: the global setup reads the file as soon as it exists, and could
  // otherwise read it empty, between its creation and its write.
  const infoFile = process.env.STACK_INFO_FILE!;
  writeFileSync(
    `${infoFile}.partial`,
    JSON.stringify({
      ...info,
      faultControlUrl: `${controlUrl}/faults`,
      workMeterUrl: `${controlUrl}/work`,
      deadlineControlUrl: `${controlUrl}/deadlines`,
    }),
    { mode: 0o600 },
  );
  renameSync(`${infoFile}.partial`, infoFile);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
