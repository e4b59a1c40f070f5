process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { parseArgs } from 'node:util';
import { startLocalStack } from '../local/stack.js';
import { currentStep, totpCode } from '../test/support/authenticator.js';
import { MeteringProxy, type OperationMeter } from './metering-proxy.js';

/**
 * `npm run bench`: runs each step of the 2FA lifecycle N times against the local stack (in process) and
 * prints what it measured per request: latency, DynamoDB calls and consumed request units, KMS calls,
 * and what a million such requests would cost on AWS at the list prices below.
 *
 * Latency here is this machine's, not Lambda's; calls are counted on the wire; request units are DynamoDB
 * Local's own ConsumedCapacity, which approximates what DynamoDB bills.
 */
const prices = {
  region: 'us-east-1 list prices, on-demand',
  dynamoDbPerMillionReadUnits: 0.125,
  dynamoDbPerMillionWriteUnits: 0.625,
  kmsPerMillionRequests: 3.0,
  httpApiPerMillionRequests: 1.0,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaMemoryGb: 1,
};

/** The parts of the API's answers the benchmark reads (docs/openapi.json has them in full). */
interface SignedIn {
  session: { token: string };
}
interface Enrollment {
  otpauthUri: string;
}
interface EnrollmentConfirmed {
  backupCodes: string[];
}
interface Challenged {
  challenge: { token: string };
}

interface StepResult {
  step: string;
  latenciesMs: number[];
  dynamoDb: OperationMeter & { byOperation: string };
  kmsCalls: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '20' } } });
  const users = Number(values.users);
  const dynamoProxies: MeteringProxy[] = [];
  const kmsProxies: MeteringProxy[] = [];
  const stack = await startLocalStack({
    port: 0,
    lambdaPort: 0,
    host: '127.0.0.1',
    demoAdminPassword: 'bench-admin-password',
    // The security events the steps publish would bury the table; they are priced in the README.
    printEvent: () => undefined,
    interpose: async (service, endpoint) => {
      // Security events leave through the table's stream off the request path; they are priced below.
      if (service === 'events') return endpoint;
      const proxy = new MeteringProxy(endpoint, service);
      (service === 'dynamodb' ? dynamoProxies : kmsProxies).push(proxy);
      return proxy.start();
    },
  });
  const base = `${stack.url}/v1/apps/demo`;
  const post = async (path: string, body?: unknown, token?: string): Promise<unknown> => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json: unknown = await response.json();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };

  try {
    const [dynamo] = dynamoProxies;
    const [kms] = kmsProxies;
    if (!dynamo || !kms) throw new Error('the local stack did not interpose DynamoDB and KMS');
    const admin = ((await post('/login', { email: 'admin@demo.test', password: 'bench-admin-password' })) as SignedIn).session.token;
    await fetch(`${base}/settings/two-factor`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ mode: 'optional' }),
    });
    await post('/publish', undefined, admin);

    const people = Array.from({ length: users }, (_, index) => ({
      email: `bench-${index}-${Date.now()}@example.test`,
      session: '',
      secret: '',
      backupCodes: [] as string[],
    }));
    const results: StepResult[] = [];
    const measure = async (step: string, run: (person: (typeof people)[number]) => Promise<void>) => {
      dynamo.reset();
      kms.reset();
      const latenciesMs: number[] = [];
      for (const person of people) {
        const started = performance.now();
        await run(person);
        latenciesMs.push(performance.now() - started);
      }
      const totals = [...dynamo.meters.values()].reduce(
        (sum, meter) => ({
          calls: sum.calls + meter.calls,
          readUnits: sum.readUnits + meter.readUnits,
          writeUnits: sum.writeUnits + meter.writeUnits,
        }),
        { calls: 0, readUnits: 0, writeUnits: 0 },
      );
      const byOperation = [...dynamo.meters.entries()].map(([operation, meter]) => `${operation}×${round(meter.calls / users)}`).join(' ');
      const kmsCalls = [...kms.meters.values()].reduce((sum, meter) => sum + meter.calls, 0);
      results.push({ step, latenciesMs, dynamoDb: { ...totals, byOperation }, kmsCalls });
    };

    await measure('signup', async (person) => {
      person.session = ((await post('/signup', { email: person.email, password: 'bench password 123' })) as SignedIn).session.token;
    });
    await measure('2fa/enrollment', async (person) => {
      const enrollment = (await post('/2fa/enrollment', undefined, person.session)) as Enrollment;
      const secret = new URL(enrollment.otpauthUri).searchParams.get('secret');
      if (!secret) throw new Error(`2fa/enrollment: no secret in ${enrollment.otpauthUri}`);
      person.secret = secret;
    });
    await measure('2fa/enrollment/confirm', async (person) => {
      person.backupCodes = (
        (await post('/2fa/enrollment/confirm', { code: totpCode(person.secret, currentStep() - 1) }, person.session)) as EnrollmentConfirmed
      ).backupCodes;
    });
    const challenges = new Map<string, string>();
    await measure('login (password step)', async (person) => {
      challenges.set(
        person.email,
        ((await post('/login', { email: person.email, password: 'bench password 123' })) as Challenged).challenge.token,
      );
    });
    await measure('login/verify (TOTP)', async (person) => {
      await post('/login/verify', { challengeToken: challenges.get(person.email), code: totpCode(person.secret, currentStep() + 1) });
    });
    for (const person of people)
      challenges.set(
        person.email,
        ((await post('/login', { email: person.email, password: 'bench password 123' })) as Challenged).challenge.token,
      );
    await measure('login/verify (backup code)', async (person) => {
      await post('/login/verify', { challengeToken: challenges.get(person.email), backupCode: person.backupCodes[0] });
    });
    await measure('me', async (person) => {
      const response = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${person.session}` } });
      if (!response.ok) throw new Error(`me: ${response.status}`);
    });

    // Timing is what an attacker probing for accounts sees; the tests assert equal work instead, since
    // times on a shared machine are too noisy to gate a test run. Interleaved, so load drifts hit both alike.
    const refuse = async (email: string) => {
      const started = performance.now();
      const response = await fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'not the password' }),
      });
      await response.arrayBuffer();
      if (response.status !== 401) throw new Error(`login refusal: ${response.status}`);
      return performance.now() - started;
    };
    await refuse(`bench-warm-${Date.now()}@example.test`);
    const refusals = { wrongPassword: [] as number[], unknownEmail: [] as number[] };
    for (const [index, person] of people.entries()) {
      refusals.wrongPassword.push(await refuse(person.email));
      refusals.unknownEmail.push(await refuse(`bench-nobody-${index}-${Date.now()}@example.test`));
    }

    print(results, users);
    printRefusals(refusals);
  } finally {
    await stack.stop();
    await Promise.all([...dynamoProxies, ...kmsProxies].map((proxy) => proxy.stop()));
  }
}

function print(results: StepResult[], users: number): void {
  console.log(`\n2FA service benchmark: ${users} users, each step run once per user, sequentially, against the local stack`);
  console.log(
    `(${process.version}, DynamoDB Local, KMS stand-in; latency is this machine's, not Lambda's; request units are as DynamoDB Local reports them)\n`,
  );
  const header = ['step', 'p50 ms', 'p95 ms', 'DynamoDB calls/req', 'RRU/req', 'WRU/req', 'KMS calls/req', '$ per 1M req'];
  const rows = results.map((result) => {
    const sorted = [...result.latenciesMs].sort((a, b) => a - b);
    const p50 = percentile(sorted, 0.5);
    const readUnits = result.dynamoDb.readUnits / users;
    const writeUnits = result.dynamoDb.writeUnits / users;
    const kmsCalls = result.kmsCalls / users;
    const costPerMillion =
      readUnits * prices.dynamoDbPerMillionReadUnits +
      writeUnits * prices.dynamoDbPerMillionWriteUnits +
      kmsCalls * prices.kmsPerMillionRequests +
      prices.httpApiPerMillionRequests +
      prices.lambdaPerMillionRequests +
      (p50 / 1000) * prices.lambdaMemoryGb * prices.lambdaArmPerGbSecond * 1_000_000;
    return [
      result.step,
      round(p50),
      round(percentile(sorted, 0.95)),
      result.dynamoDb.byOperation,
      round(readUnits),
      round(writeUnits),
      round(kmsCalls),
      `$${costPerMillion.toFixed(2)}`,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells: (string | number)[]) => cells.map((cell, column) => String(cell).padEnd(widths[column] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(
    `\nPrices: ${prices.region}: DynamoDB $${prices.dynamoDbPerMillionReadUnits}/M RRU, $${prices.dynamoDbPerMillionWriteUnits}/M WRU; KMS $${prices.kmsPerMillionRequests}/M;`,
  );
  console.log(
    `HTTP API $${prices.httpApiPerMillionRequests}/M; Lambda arm64 $${prices.lambdaPerMillionRequests}/M + $${prices.lambdaArmPerGbSecond}/GB-s at ${prices.lambdaMemoryGb} GB for the p50 latency.`,
  );
}

function printRefusals(refusals: { wrongPassword: number[]; unknownEmail: number[] }): void {
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      0.5,
    );
  const [wrongPassword, unknownEmail] = [median(refusals.wrongPassword), median(refusals.unknownEmail)];
  console.log(`\nLogin refusals, ${refusals.wrongPassword.length} of each, interleaved (401 invalid_credentials):`);
  console.log(
    `wrong password p50 ${round(wrongPassword)} ms, unknown email p50 ${round(unknownEmail)} ms, ratio unknown/wrong ${(unknownEmail / wrongPassword).toFixed(2)}`,
  );
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
