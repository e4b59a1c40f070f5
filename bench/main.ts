process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// First: it wraps hash-wasm before any handler module imports it.
import { hashMeter, measureArgon2Ratios, type Argon2Ratio, type HashUse } from './hash-meter.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { argon2Implementation } from '../functions/core/hashing.js';
import { startLocalStack } from '../local/stack.js';
import { awayFromStepBoundary, currentStep, totpCode } from '../test/support/authenticator.js';
import { DynamoDbBilling, type CallBill } from './billing.js';
import {
  addCosts,
  applicationLogBytes,
  cognitoComparison,
  costPerMillion,
  durationModel,
  platformLogBytes,
  prices,
  type CostPerMillion,
} from './cost-model.js';
import {
  buildBundles,
  buildNaiveBundle,
  naivePackagesOf,
  servicesOf,
  describeDeployment,
  lambdaEnvironment,
  timeModuleLoads,
  type DeployedFunction,
  type LoadTarget,
} from './deployment.js';
import { MeteringProxy, type MeteredCall } from './metering-proxy.js';
import { markdownReport, percentile, round, textReport, type BenchReport, type FunctionReport, type StepReport } from './report.js';

/**
 * `npm run bench`: runs each step of the 2FA lifecycle once per user against the local stack (in
 * process), meters every DynamoDB and KMS call each request makes, and models what a million such
 * requests cost on AWS; then bundles every function as the CDK app does and times loading the bundles
 * next to naive bundles of the AWS SDK clients of the services each function talks to. Options: `--users N` (20), `--json FILE`,
 * `--markdown FILE` (`-` for stdout), `--readme` (rewrites the generated part of README.md's benchmark
 * section), `--load-runs N` (7), `--load-all` (time every function, not just the measured steps'),
 * `--skip-bundles`, `--node PATH` (the Node.js that loads the bundles and measures how much faster the deployed
 * Argon2, @node-rs/argon2, is than hash-wasm: give it the deployed runtime's Node 24), `--trace FILE` (every request's calls, one JSON
 * line per request), `--from FILE` (no run: print, and write as asked, the report a `--json` run wrote).
 *
 * Lambda duration is modeled, not taken from the latency measured here: see `durationModel` in cost-model.ts.
 */

/** Alternated runs of each Argon2 implementation per cost when measuring the native/hash-wasm ratio. */
const argon2RatioRuns = 15;

/** The steps measured, each served by one function (the step's directory under `functions/`). */
const steps = {
  signup: { label: 'signup', route: 'POST /signup', function: 'signup' },
  enrollmentStart: { label: '2fa/enrollment', route: 'POST /2fa/enrollment', function: 'enrollment-start' },
  enrollmentConfirm: { label: '2fa/enrollment/confirm', route: 'POST /2fa/enrollment/confirm', function: 'enrollment-confirm' },
  login: { label: 'login (password step)', route: 'POST /login', function: 'login' },
  loginVerifyTotp: { label: 'login/verify (TOTP)', route: 'POST /login/verify', function: 'login-verify' },
  loginVerifyBackupCode: { label: 'login/verify (backup code)', route: 'POST /login/verify', function: 'login-verify' },
  me: { label: 'me', route: 'GET /me', function: 'me' },
  health: { label: 'health', route: 'GET /v1/health', function: 'health' },
  loginRefusedWrongPassword: { label: 'login refused: wrong password', route: 'POST /login', function: 'login' },
  loginRefusedUnknownEmail: { label: 'login refused: unknown email', route: 'POST /login', function: 'login' },
} as const;
type StepId = keyof typeof steps;

/** Everything one request did, as measured. */
interface RequestRecord {
  step: StepId;
  latencyMs: number;
  /** CPU this process spent during the request: the handler, and the local bridge, proxies and client around it. */
  cpuMs: number;
  /** The Argon2 hashes during the request (part of cpuMs). */
  hashes: HashUse;
  roundTrips: number;
  calls: MeteredCall[];
  bills: CallBill[];
  logText: string;
  securityEvents: number;
  /** The event publisher's calls for this request's security events (after the answer). */
  publisherCalls: MeteredCall[];
  publisherBills: CallBill[];
}

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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '20' },
      json: { type: 'string' },
      markdown: { type: 'string' },
      readme: { type: 'boolean', default: false },
      from: { type: 'string' },
      'load-runs': { type: 'string', default: '7' },
      'load-all': { type: 'boolean', default: false },
      'skip-bundles': { type: 'boolean', default: false },
      node: { type: 'string', default: process.execPath },
      trace: { type: 'string' },
    },
  });
  const report = values.from
    ? readReport(values.from)
    : await runBench({
        users: Number(values.users),
        loadRuns: Number(values['load-runs']),
        loadAll: values['load-all'],
        skipBundles: values['skip-bundles'],
        node: values.node,
        trace: values.trace,
      });
  console.log(textReport(report));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  const markdown = markdownReport(report);
  if (values.markdown === '-') console.log(markdown);
  else if (values.markdown) writeFileSync(values.markdown, markdown);
  if (values.readme) updateReadme(markdown);
}

function readReport(file: string): BenchReport {
  const report = JSON.parse(readFileSync(file, 'utf8')) as { schema?: string };
  if (report.schema !== 'twofa-bench/3')
    throw new Error(`${file} is ${report.schema ?? 'not a bench report'}, not twofa-bench/3: run the bench again`);
  return report as BenchReport;
}

async function runBench(options: {
  users: number;
  loadRuns: number;
  loadAll: boolean;
  skipBundles: boolean;
  node: string;
  trace: string | undefined;
}): Promise<BenchReport> {
  const workDir = mkdtempSync(join(tmpdir(), 'twofa-bench-'));
  try {
    const started = performance.now();
    const progress = (message: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${message}`);
    // The CDK app first: the functions' memory sizes price the steps, and their log level is the one to run at.
    progress('reading the CDK app');
    const deployed = await describeDeployment(workDir);
    const logLevel = deployedLogLevel(deployed);
    process.env.POWERTOOLS_LOG_LEVEL = logLevel;

    progress(`measuring the steps, ${options.users} users`);
    const measured = await measureSteps(options.users);
    if (options.trace) writeFileSync(options.trace, measured.records.map((record) => JSON.stringify(traceOf(record))).join('\n') + '\n');
    const model = await hashingModel(measured.records, options.node, workDir, progress);
    const stepReports = (Object.keys(steps) as StepId[]).map((id) =>
      summarize(
        id,
        measured.records.filter((record) => record.step === id),
        deployed,
        model.hashCpu === 'native-by-ratio' ? model.argon2Ratios : null,
      ),
    );
    // The login and TOTP-verify rows added up (so the costs match the table), with latency and round trips
    // taken per user from each one's own login and verify.
    const stepReport = (id: StepId) => stepReports.find((report) => report.id === id) ?? summarize(id, [], deployed, null);
    const signIn = combine(
      stepReport('login'),
      stepReport('loginVerifyTotp'),
      measured.signIns.map(([login, verify]) => [login.latencyMs + verify.latencyMs, login.roundTrips + verify.roundTrips]),
    );

    if (!options.skipBundles) progress(`bundling the functions and timing module loads (${options.loadRuns} runs)`);
    const functions = options.skipBundles
      ? []
      : await measureBundles(deployed, workDir, { runs: options.loadRuns, all: options.loadAll, node: options.node });
    progress('done');
    return {
      schema: 'twofa-bench/3',
      generatedAt: new Date().toISOString(),
      git: gitState(),
      environment: {
        node: process.version,
        moduleLoadNode: execFileSync(options.node, ['--version'], { encoding: 'utf8' }).trim(),
        platform: `${process.platform} ${process.arch}`,
        cpus: cpus().length,
        loadAverage: loadavg().map((value) => round(value)),
        users: options.users,
        logLevel,
      },
      prices,
      durationModel: { roundTripMs: durationModel.roundTripMs, roundTripBasis: durationModel.roundTripBasis, ...model },
      steps: stepReports,
      signIn,
      loginRefusals: refusalSummary(measured.records),
      unattributedCalls: measured.unattributedCalls,
      functions,
      cognito: cognitoComparison(signIn.costPerMillion.total, 10, [10_000, 50_000, 100_000]),
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * How hashing CPU is priced. The handlers hash with @node-rs/argon2 as the deployed functions do, so their CPU
 * is priced as measured; where no native binary loaded they hashed with hash-wasm, whose share is then divided
 * by the hash-wasm/native ratio. That ratio is measured in every run, with `--node` (give it the deployed
 * runtime's major version), so the report shows how much faster the deployed hash is.
 */
async function hashingModel(
  records: RequestRecord[],
  node: string,
  workDir: string,
  progress: (message: string) => void,
): Promise<Omit<BenchReport['durationModel'], 'roundTripMs' | 'roundTripBasis'>> {
  const costs = [...new Set(records.flatMap((record) => Object.keys(record.hashes)))].sort();
  const ratioNode = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  progress(`timing hash-wasm against @node-rs/argon2 with Node.js ${ratioNode} (${argon2RatioRuns} runs each)`);
  const argon2Ratios = costs.length === 0 ? [] : await measureArgon2Ratios(node, costs, argon2RatioRuns, workDir);
  const handlersHashWith = await argon2Implementation();
  return {
    handlersHashWith,
    hashCpu: handlersHashWith === '@node-rs/argon2' ? 'measured-native' : 'native-by-ratio',
    ratioNode,
    argon2Ratios: argon2Ratios.map((ratio) => ({
      ...ratio,
      hashWasmCpuMs: round(ratio.hashWasmCpuMs),
      nativeCpuMs: round(ratio.nativeCpuMs),
      hashWasmWallMs: round(ratio.hashWasmWallMs),
      nativeWallMs: round(ratio.nativeWallMs),
      ratio: round(ratio.ratio),
    })),
  };
}

/** Runs every step for every user against a fresh local stack; returns each request's record. */
async function measureSteps(
  users: number,
): Promise<{ records: RequestRecord[]; signIns: [RequestRecord, RequestRecord][]; unattributedCalls: number }> {
  const proxies: MeteringProxy[] = [];
  let publishedEvents = 0;
  const stack = await startLocalStack({
    port: 0,
    lambdaPort: 0,
    host: '127.0.0.1',
    demoAdminPassword: 'bench-admin-password',
    // Counted, not printed: each one is priced with the request that caused it.
    printEvent: () => publishedEvents++,
    interpose: async (service, endpoint) => {
      // Stream reads are Lambda's (the event source mapping), not the handlers' calls; SQS is not metered.
      if (service === 'events' || service === 'streams' || service === 'sqs') return endpoint;
      const proxy = new MeteringProxy(endpoint, service);
      proxies.push(proxy);
      return proxy.start();
    },
  });
  const logs = captureLogs();
  const direct = new DynamoDBClient({
    endpoint: stack.dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const billing = new DynamoDbBilling(direct);
    const base = `${stack.url}/v1/apps/demo`;
    const takeCalls = () => proxies.flatMap((proxy) => proxy.take()).sort((a, b) => a.startedAt - b.startedAt);
    const admin = await adminSession(base);
    await fetch(`${base}/settings/two-factor`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ mode: 'optional' }),
    });
    await fetch(`${base}/publish`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    await waitForQuiet(() => publishedEvents, 1000);
    takeCalls();
    await billing.load([stack.tableName]);

    const records: RequestRecord[] = [];
    let unattributedCalls = 0;
    /** Security events each step's requests cause, learned from its first request. */
    const eventsPerRequest = new Map<StepId, number>();
    const send = async (
      step: StepId,
      method: string,
      path: string,
      body?: unknown,
      token?: string,
    ): Promise<{ status: number; json: unknown }> => {
      unattributedCalls += takeCalls().length;
      const eventsBefore = publishedEvents;
      logs.start();
      hashMeter.start();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const response = await fetch(path.startsWith('/v1/health') ? `${stack.url}${path}` : `${base}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const latencyMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const hashes = hashMeter.take();
      const logText = logs.stop();
      const finished = takeCalls();
      const calls = finished.filter((call) => call.startedAt >= started);
      unattributedCalls += finished.length - calls.length;
      // The stream delivers the request's audit entries to the publisher a moment later; wait for its
      // events so its calls are not mistaken for the next request's.
      const expected = eventsPerRequest.get(step);
      if (expected === undefined) {
        await waitForQuiet(() => publishedEvents, 800);
        eventsPerRequest.set(step, publishedEvents - eventsBefore);
      } else if (expected > 0) {
        await waitFor(() => publishedEvents - eventsBefore >= expected, 3000);
        await waitForQuiet(() => publishedEvents, 50);
      }
      const publisherCalls = takeCalls();
      const bills = await billing.bill(calls);
      const publisherBills = await billing.bill(publisherCalls);
      records.push({
        step,
        latencyMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        hashes,
        roundTrips: sequentialRoundTrips(calls),
        calls,
        bills,
        logText,
        securityEvents: publishedEvents - eventsBefore,
        publisherCalls,
        publisherBills,
      });
      return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
    };
    const ok = async (step: StepId, method: string, path: string, body?: unknown, token?: string): Promise<unknown> => {
      const { status, json } = await send(step, method, path, body, token);
      if (status >= 300) throw new Error(`${steps[step].label}: ${status} ${JSON.stringify(json)}`);
      return json;
    };

    const people = Array.from({ length: users }, (_, index) => ({
      email: `bench-${index}-${Date.now()}@example.test`,
      session: '',
      secret: '',
      backupCodes: [] as string[],
      challenge: '',
    }));
    const password = 'bench password 123';
    for (const person of people)
      person.session = ((await ok('signup', 'POST', '/signup', { email: person.email, password })) as SignedIn).session.token;
    for (const person of people) {
      const enrollment = (await ok('enrollmentStart', 'POST', '/2fa/enrollment', undefined, person.session)) as Enrollment;
      const secret = new URL(enrollment.otpauthUri).searchParams.get('secret');
      if (!secret) throw new Error(`2fa/enrollment: no secret in ${enrollment.otpauthUri}`);
      person.secret = secret;
    }
    for (const person of people) {
      // The step before now is acceptable until the next step starts: not within a few seconds of that.
      await awayFromStepBoundary();
      const code = totpCode(person.secret, currentStep() - 1);
      person.backupCodes = (
        (await ok('enrollmentConfirm', 'POST', '/2fa/enrollment/confirm', { code }, person.session)) as EnrollmentConfirmed
      ).backupCodes;
    }
    const signIns: [RequestRecord, RequestRecord][] = [];
    const lastRecord = () => {
      const record = records.at(-1);
      if (!record) throw new Error('no request recorded');
      return record;
    };
    for (const person of people) {
      person.challenge = ((await ok('login', 'POST', '/login', { email: person.email, password })) as Challenged).challenge.token;
      const login = lastRecord();
      await ok('loginVerifyTotp', 'POST', '/login/verify', {
        challengeToken: person.challenge,
        code: totpCode(person.secret, currentStep() + 1),
      });
      signIns.push([login, lastRecord()]);
    }
    for (const person of people) {
      person.challenge = ((await ok('login', 'POST', '/login', { email: person.email, password })) as Challenged).challenge.token;
      await ok('loginVerifyBackupCode', 'POST', '/login/verify', { challengeToken: person.challenge, backupCode: person.backupCodes[0] });
    }
    for (const person of people) await ok('me', 'GET', '/me', undefined, person.session);
    for (let index = 0; index < users; index++) await ok('health', 'GET', '/v1/health');

    // Timing is what an attacker probing for accounts sees; the tests assert equal work instead, since
    // times on a shared machine are too noisy to gate a test run. Interleaved, so load drifts hit both alike.
    const refuse = async (step: StepId, email: string) => {
      const { status } = await send(step, 'POST', '/login', { email, password: 'not the password' });
      if (status !== 401) throw new Error(`login refusal: ${status}`);
    };
    await refuse('loginRefusedUnknownEmail', `bench-warm-${Date.now()}@example.test`);
    records.pop();
    for (const [index, person] of people.entries()) {
      await refuse('loginRefusedWrongPassword', person.email);
      await refuse('loginRefusedUnknownEmail', `bench-nobody-${index}-${Date.now()}@example.test`);
    }
    return { records, signIns, unattributedCalls };
  } finally {
    logs.restore();
    direct.destroy();
    await stack.stop();
    await Promise.all(proxies.map((proxy) => proxy.stop()));
  }
}

async function adminSession(base: string): Promise<string> {
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.test', password: 'bench-admin-password' }),
  });
  if (!response.ok) throw new Error(`admin login: ${response.status}`);
  return ((await response.json()) as SignedIn).session.token;
}

/** One request as `--trace FILE` writes it (a JSON line): each call with its timing, relative to the first, and its bill. */
function traceOf(record: RequestRecord) {
  const origin = record.calls[0]?.startedAt ?? 0;
  const describe = (calls: MeteredCall[], bills: CallBill[]) =>
    calls.map((call, index) => ({
      operation: call.service === 'kms' ? `kms:${call.operation}` : call.operation,
      startMs: round(call.startedAt - origin),
      durationMs: round(call.endedAt - call.startedAt),
      status: call.status,
      bill: bills[index],
      localCapacity: call.localCapacity,
      request: call.request,
    }));
  return {
    step: record.step,
    latencyMs: round(record.latencyMs),
    roundTrips: record.roundTrips,
    securityEvents: record.securityEvents,
    logText: record.logText,
    calls: describe(record.calls, record.bills),
    publisherCalls: describe(record.publisherCalls, record.publisherBills),
  };
}

/**
 * The longest chain of calls each of which started after the previous one ended: calls made one after
 * another add a round trip each, calls in flight together count once.
 */
function sequentialRoundTrips(calls: readonly MeteredCall[]): number {
  const sorted = [...calls].sort((a, b) => a.startedAt - b.startedAt);
  const depth: number[] = [];
  sorted.forEach((call, index) => {
    let before = 0;
    for (let earlier = 0; earlier < index; earlier++) {
      if ((sorted[earlier]?.endedAt ?? Infinity) <= call.startedAt) before = Math.max(before, depth[earlier] ?? 0);
    }
    depth.push(before + 1);
  });
  return Math.max(0, ...depth);
}

function summarize(id: StepId, records: RequestRecord[], deployed: DeployedFunction[], argon2Ratios: Argon2Ratio[] | null): StepReport {
  const step = steps[id];
  const fn = deployed.find((candidate) => candidate.name === step.function);
  if (!fn) throw new Error(`the CDK app has no function ${step.function}`);
  const count = Math.max(1, records.length);
  const mean = (value: (record: RequestRecord) => number) => records.reduce((sum, record) => sum + value(record), 0) / count;
  const latencies = records.map((record) => record.latencyMs).sort((a, b) => a - b);
  const roundTrips = records.map((record) => record.roundTrips).sort((a, b) => a - b);
  const callsByType: Record<string, number> = {};
  for (const record of records) {
    for (const call of record.calls) {
      const name = call.service === 'kms' ? `kms:${call.operation}` : call.operation;
      callsByType[name] = (callsByType[name] ?? 0) + 1 / count;
    }
  }
  const sumBills = (bills: CallBill[], pick: (bill: CallBill) => number) => bills.reduce((sum, bill) => sum + pick(bill), 0);
  const readUnits = mean((record) => sumBills(record.bills, (bill) => bill.readUnits));
  const tableWriteUnits = mean((record) => sumBills(record.bills, (bill) => bill.tableWriteUnits));
  const indexWriteUnits = mean((record) => sumBills(record.bills, (bill) => bill.indexWriteUnits));
  const kmsCalls = mean((record) => record.calls.filter((call) => call.service === 'kms').length);
  const p50 = percentile(latencies, 0.5);
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      0.5,
    );
  // The Lambda duration model (cost-model.ts): CPU (a hash-wasm share swapped for the native one), plus round trips.
  const cpuP50 = median(records.map((record) => record.cpuMs));
  const hashCosts = [...new Set(records.flatMap((record) => Object.keys(record.hashes)))].sort();
  const hashes = Object.fromEntries(
    hashCosts.map((cost) => [
      cost,
      {
        count: round(mean((record) => record.hashes[cost]?.count ?? 0)),
        cpuMsP50: round(median(records.map((record) => record.hashes[cost]?.cpuMs ?? 0))),
      },
    ]),
  );
  const hashCpuMs = hashCosts.reduce((sum, cost) => sum + (hashes[cost]?.cpuMsP50 ?? 0), 0);
  const deployedHashCpuMs = hashCosts.reduce((sum, cost) => {
    const ratio = argon2Ratios?.find((measured) => measured.cost === cost)?.ratio ?? 1;
    return sum + (hashes[cost]?.cpuMsP50 ?? 0) / ratio;
  }, 0);
  // From the rounded figures the report shows, so its columns add up.
  const modeledCpuMs = round(cpuP50) - hashCpuMs + deployedHashCpuMs;
  const roundTripsMedian = percentile(roundTrips, 0.5);
  const roundTripMs = roundTripsMedian * durationModel.roundTripMs;
  const modeledDurationMs = Math.ceil(round(modeledCpuMs + roundTripMs));
  const logBytes = mean((record) => applicationLogBytes(record.logText)) + platformLogBytes(fn.logFormat, modeledDurationMs, fn.memoryMb);
  const publisher = {
    calls: mean((record) => record.publisherCalls.length),
    readUnits: mean((record) => sumBills(record.publisherBills, (bill) => bill.readUnits)),
    writeUnits: mean((record) => sumBills(record.publisherBills, (bill) => bill.tableWriteUnits + bill.indexWriteUnits)),
    kmsCalls: mean((record) => record.publisherCalls.filter((call) => call.service === 'kms').length),
  };
  const securityEvents = mean((record) => record.securityEvents);
  return {
    id,
    label: step.label,
    route: step.route,
    function: step.function,
    requests: records.length,
    latencyMs: { p50: round(p50), p95: round(percentile(latencies, 0.95)) },
    cpuMs: { p50: round(cpuP50) },
    roundTrips: { median: roundTripsMedian, max: roundTrips.at(-1) ?? 0 },
    callsByType: Object.fromEntries(Object.entries(callsByType).map(([name, value]) => [name, round(value)])),
    dynamoDb: {
      readUnits: round(readUnits),
      writeUnits: round(tableWriteUnits + indexWriteUnits),
      tableWriteUnits: round(tableWriteUnits),
      indexWriteUnits: round(indexWriteUnits),
      localReported: {
        readUnits: round(mean((record) => record.calls.reduce((sum, call) => sum + call.localCapacity.readUnits, 0))),
        writeUnits: round(mean((record) => record.calls.reduce((sum, call) => sum + call.localCapacity.writeUnits, 0))),
      },
    },
    kmsCalls: round(kmsCalls),
    logBytes: Math.round(logBytes),
    securityEvents: round(securityEvents),
    publisher: {
      calls: round(publisher.calls),
      readUnits: round(publisher.readUnits),
      writeUnits: round(publisher.writeUnits),
      kmsCalls: round(publisher.kmsCalls),
    },
    hashes,
    memoryMb: fn.memoryMb,
    modeledDuration: {
      measuredCpuMs: round(cpuP50),
      hashCpuMs: round(hashCpuMs),
      deployedHashCpuMs: round(deployedHashCpuMs),
      cpuMs: round(modeledCpuMs),
      roundTrips: roundTripsMedian,
      roundTripMs,
      durationMs: round(modeledCpuMs + roundTripMs),
    },
    modeledDurationMs,
    costPerMillion: roundCosts(
      costPerMillion({
        durationMs: modeledDurationMs,
        memoryMb: fn.memoryMb,
        readUnits,
        writeUnits: tableWriteUnits + indexWriteUnits,
        kmsCalls,
        logBytes,
        securityEvents,
        publisher,
      }),
    ),
  };
}

function roundCosts(costs: CostPerMillion): CostPerMillion {
  const rounded = { ...costs };
  for (const part of Object.keys(rounded) as (keyof CostPerMillion)[]) rounded[part] = Math.round(rounded[part] * 10_000) / 10_000;
  return rounded;
}

/** The `signIn` row: a password step and the TOTP verify that follows it, per user. */
function combine(login: StepReport, verify: StepReport, perUser: [number, number][]): StepReport {
  const latencies = perUser.map(([latency]) => latency).sort((a, b) => a - b);
  const roundTrips = perUser.map(([, trips]) => trips).sort((a, b) => a - b);
  const callsByType: Record<string, number> = { ...login.callsByType };
  for (const [name, value] of Object.entries(verify.callsByType)) callsByType[name] = round((callsByType[name] ?? 0) + value);
  const add = (a: number, b: number) => round(a + b);
  return {
    id: 'signIn',
    label: 'signIn (login + TOTP verify)',
    route: `${login.route} + ${verify.route}`,
    function: `${login.function} + ${verify.function}`,
    requests: perUser.length,
    latencyMs: { p50: round(percentile(latencies, 0.5)), p95: round(percentile(latencies, 0.95)) },
    cpuMs: { p50: round(login.cpuMs.p50 + verify.cpuMs.p50) },
    roundTrips: { median: percentile(roundTrips, 0.5), max: roundTrips.at(-1) ?? 0 },
    callsByType,
    dynamoDb: {
      readUnits: add(login.dynamoDb.readUnits, verify.dynamoDb.readUnits),
      writeUnits: add(login.dynamoDb.writeUnits, verify.dynamoDb.writeUnits),
      tableWriteUnits: add(login.dynamoDb.tableWriteUnits, verify.dynamoDb.tableWriteUnits),
      indexWriteUnits: add(login.dynamoDb.indexWriteUnits, verify.dynamoDb.indexWriteUnits),
      localReported: {
        readUnits: add(login.dynamoDb.localReported.readUnits, verify.dynamoDb.localReported.readUnits),
        writeUnits: add(login.dynamoDb.localReported.writeUnits, verify.dynamoDb.localReported.writeUnits),
      },
    },
    kmsCalls: add(login.kmsCalls, verify.kmsCalls),
    logBytes: login.logBytes + verify.logBytes,
    securityEvents: add(login.securityEvents, verify.securityEvents),
    publisher: {
      calls: add(login.publisher.calls, verify.publisher.calls),
      readUnits: add(login.publisher.readUnits, verify.publisher.readUnits),
      writeUnits: add(login.publisher.writeUnits, verify.publisher.writeUnits),
      kmsCalls: add(login.publisher.kmsCalls, verify.publisher.kmsCalls),
    },
    hashes: Object.fromEntries(
      [...new Set([...Object.keys(login.hashes), ...Object.keys(verify.hashes)])].sort().map((cost) => [
        cost,
        {
          count: add(login.hashes[cost]?.count ?? 0, verify.hashes[cost]?.count ?? 0),
          cpuMsP50: add(login.hashes[cost]?.cpuMsP50 ?? 0, verify.hashes[cost]?.cpuMsP50 ?? 0),
        },
      ]),
    ),
    memoryMb: Math.max(login.memoryMb, verify.memoryMb),
    modeledDuration: {
      measuredCpuMs: add(login.modeledDuration.measuredCpuMs, verify.modeledDuration.measuredCpuMs),
      hashCpuMs: add(login.modeledDuration.hashCpuMs, verify.modeledDuration.hashCpuMs),
      deployedHashCpuMs: add(login.modeledDuration.deployedHashCpuMs, verify.modeledDuration.deployedHashCpuMs),
      cpuMs: add(login.modeledDuration.cpuMs, verify.modeledDuration.cpuMs),
      roundTrips: login.modeledDuration.roundTrips + verify.modeledDuration.roundTrips,
      roundTripMs: add(login.modeledDuration.roundTripMs, verify.modeledDuration.roundTripMs),
      durationMs: add(login.modeledDuration.durationMs, verify.modeledDuration.durationMs),
    },
    modeledDurationMs: login.modeledDurationMs + verify.modeledDurationMs,
    costPerMillion: addCosts(login.costPerMillion, verify.costPerMillion),
  };
}

function refusalSummary(records: RequestRecord[]): BenchReport['loginRefusals'] {
  const median = (step: StepId) =>
    percentile(
      records
        .filter((record) => record.step === step)
        .map((record) => record.latencyMs)
        .sort((a, b) => a - b),
      0.5,
    );
  const wrongPassword = median('loginRefusedWrongPassword');
  const unknownEmail = median('loginRefusedUnknownEmail');
  return {
    samples: records.filter((record) => record.step === 'loginRefusedWrongPassword').length,
    wrongPasswordP50Ms: round(wrongPassword),
    unknownEmailP50Ms: round(unknownEmail),
    ratioUnknownToWrong: round(unknownEmail / wrongPassword),
  };
}

/** The functions whose module load is timed by default: those of the measured steps. */
const timedByDefault = new Set<string>(Object.values(steps).map((step) => step.function));

async function measureBundles(
  deployed: DeployedFunction[],
  workDir: string,
  options: { runs: number; all: boolean; node: string },
): Promise<FunctionReport[]> {
  const built = await buildBundles(deployed, workDir);
  const naivePackages = new Map<string, string[]>();
  const naive = new Map<string, { file: string; bytes: number }>();
  for (const fn of deployed) {
    const bundle = built.get(fn.name);
    if (!bundle) throw new Error(`no bundle built for ${fn.name}`);
    const packages = naivePackagesOf(servicesOf(fn.name), bundle);
    naivePackages.set(fn.name, packages);
    const key = packages.join(' ');
    if (!naive.has(key)) naive.set(key, await buildNaiveBundle(packages, workDir));
  }
  const naiveOf = (name: string) => naive.get(naivePackages.get(name)?.join(' ') ?? '');
  const timed = deployed.filter((fn) => options.all || timedByDefault.has(fn.name));
  const targets: LoadTarget[] = [];
  for (const fn of timed) {
    const bundle = built.get(fn.name);
    const naiveBundle = naiveOf(fn.name);
    if (!bundle || !naiveBundle) continue;
    targets.push({ id: `bundle:${fn.name}`, file: bundle.file, environment: lambdaEnvironment(fn, bundle.file) });
    // One naive target per naive bundle, loaded with the environment of the first function that uses it.
    if (!targets.some((target) => target.file === naiveBundle.file)) {
      targets.push({ id: `naive:${naiveBundle.file}`, file: naiveBundle.file, environment: lambdaEnvironment(fn, naiveBundle.file) });
    }
  }
  const samples = await timeModuleLoads(targets, options.runs, options.node, workDir);
  const median = (id: string) => {
    const values = samples.get(id);
    return values && values.length > 0
      ? round(
          percentile(
            [...values].sort((a, b) => a - b),
            0.5,
          ),
        )
      : null;
  };
  return deployed.map((fn) => {
    const bundle = built.get(fn.name);
    if (!bundle) throw new Error(`no bundle built for ${fn.name}`);
    const naiveBundle = naiveOf(fn.name);
    const naiveSdkPackages = naivePackages.get(fn.name) ?? [];
    const bundleMs = median(`bundle:${fn.name}`);
    const naiveMs = naiveBundle ? median(`naive:${naiveBundle.file}`) : null;
    return {
      function: fn.name,
      memoryMb: fn.memoryMb,
      runtime: fn.runtime,
      architecture: fn.architecture,
      nodeOptions: fn.environment.NODE_OPTIONS ?? null,
      bundleKb: round(bundle.bytes / 1024),
      sourceMapKb: round(bundle.sourceMapBytes / 1024),
      awsServices: servicesOf(fn.name),
      awsSdkPackages: bundle.awsClients,
      naiveSdkPackages,
      naiveBundleKb: round((naiveBundle?.bytes ?? 0) / 1024),
      moduleLoad:
        bundleMs === null || naiveMs === null
          ? null
          : {
              runs: options.runs,
              bundleMs,
              naiveMs,
              // Next to an empty module (a function that talks to no AWS service) a ratio would say nothing.
              ratio: naiveSdkPackages.length > 0 ? round(bundleMs / naiveMs) : null,
            },
    };
  });
}

/** Powertools' level in the deployed functions (its default, INFO, when they set none). */
function deployedLogLevel(deployed: DeployedFunction[]): string {
  const levels = deployed.map((fn) => fn.environment.POWERTOOLS_LOG_LEVEL ?? fn.environment.AWS_LAMBDA_LOG_LEVEL ?? 'INFO');
  const counts = new Map<string, number>();
  for (const level of levels) counts.set(level, (counts.get(level) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'INFO';
}

/**
 * Counts what the handlers write to stdout and stderr while a request is in flight (the local stack logs
 * what Lambda would send to CloudWatch Logs), passing it through unchanged.
 */
function captureLogs(): { start(): void; stop(): string; restore(): void } {
  const originals = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  let captured: string[] | null = null;
  const wrap = (original: typeof process.stdout.write) => {
    const write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      captured?.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return Reflect.apply(original, undefined, [chunk, ...rest]) as boolean;
    };
    return write as typeof process.stdout.write;
  };
  process.stdout.write = wrap(originals.stdout);
  process.stderr.write = wrap(originals.stderr);
  return {
    start: () => (captured = []),
    stop: () => {
      const text = (captured ?? []).join('');
      captured = null;
      return text;
    },
    restore: () => {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) await sleep(10);
}

/** Waits until `count` has not changed for `quietMs`. */
async function waitForQuiet(count: () => number, quietMs: number): Promise<void> {
  let last = count();
  let since = performance.now();
  while (performance.now() - since < quietMs) {
    await sleep(10);
    if (count() !== last) {
      last = count();
      since = performance.now();
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function gitState(): BenchReport['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' });
    return { commit, uncommittedFiles: status.split('\n').filter((line) => line.length > 0).length };
  } catch {
    return { commit: 'unknown', uncommittedFiles: 0 };
  }
}

const readmeBegin = '<!-- bench:begin (generated by `npm run bench -- --readme`; edit bench/report.ts, not this) -->';
const readmeEnd = '<!-- bench:end -->';

/** Replaces the generated part of README.md's benchmark section, and nothing else. */
function updateReadme(markdown: string): void {
  const readme = readFileSync('README.md', 'utf8');
  const begin = readme.indexOf(readmeBegin);
  const end = readme.indexOf(readmeEnd);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${readmeBegin} … ${readmeEnd} block`);
  writeFileSync('README.md', `${readme.slice(0, begin + readmeBegin.length)}\n\n${markdown.trim()}\n\n${readme.slice(end)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
