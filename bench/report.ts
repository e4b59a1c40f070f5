import type { CostPerMillion, cognitoComparison, prices } from './cost-model.js';
import type { Argon2Ratio } from './hash-meter.js';

/**
 * The shape of `npm run bench -- --json FILE` (documented field by field in the README's benchmark
 * section) and its two renderings: the text table printed to stdout and the Markdown the README shows.
 */
export interface StepReport {
  id: string;
  label: string;
  route: string;
  function: string;
  requests: number;
  latencyMs: { p50: number; p95: number };
  /** This process's CPU during the request (handler, local bridge, proxies, client): median. */
  cpuMs: { p50: number };
  roundTrips: { median: number; max: number };
  callsByType: Record<string, number>;
  dynamoDb: {
    readUnits: number;
    writeUnits: number;
    tableWriteUnits: number;
    indexWriteUnits: number;
    localReported: { readUnits: number; writeUnits: number };
  };
  kmsCalls: number;
  logBytes: number;
  securityEvents: number;
  publisher: { calls: number; readUnits: number; writeUnits: number; kmsCalls: number };
  /** Argon2 hashes the handlers computed, by cost (`m=…,t=…,p=…`): mean count per request, median CPU. */
  hashes: Record<string, { count: number; cpuMsP50: number }>;
  memoryMb: number;
  /** The Lambda duration priced, part by part (the model: `durationModel` of the report). */
  modeledDuration: {
    /** `cpuMs.p50`, as measured. */
    measuredCpuMs: number;
    /** Its hashing share: per cost, the median over the step's requests, added up. */
    hashCpuMs: number;
    /** What the deployed hash costs instead: the share itself (handlers hashed natively), or ÷ the hash-wasm/native ratio (they used hash-wasm). */
    deployedHashCpuMs: number;
    /** measuredCpuMs − hashCpuMs + deployedHashCpuMs. */
    cpuMs: number;
    /** `roundTrips.median` (for `signIn`, login's plus verify's). */
    roundTrips: number;
    /** roundTrips × the assumed round-trip latency. */
    roundTripMs: number;
    /** cpuMs + roundTripMs. */
    durationMs: number;
  };
  /** What Lambda bills: modeledDuration.durationMs rounded up to the millisecond (for `signIn`, each invocation's added). */
  modeledDurationMs: number;
  costPerMillion: CostPerMillion;
}

export interface FunctionReport {
  function: string;
  memoryMb: number;
  runtime: string;
  architecture: string;
  nodeOptions: string | null;
  bundleKb: number;
  sourceMapKb: number;
  /** The services the function talks to with the lean client (its step's access in functions/routes.ts). */
  awsServices: string[];
  /** The `@aws-sdk/*` packages its own modules import. */
  awsSdkPackages: string[];
  /**
   * What its naive bundle imports whole: the SDK packages of those services, plus the SDK clients it imports
   * itself. Absent in the reports of earlier runs, whose naive bundles imported `awsSdkPackages`.
   */
  naiveSdkPackages?: string[];
  naiveBundleKb: number;
  moduleLoad: {
    runs: number;
    bundleMs: number;
    naiveMs: number;
    /** bundleMs ÷ naiveMs; null for a function that talks to no AWS service, whose naive bundle is an empty module. */
    ratio: number | null;
  } | null;
}

export interface BenchReport {
  schema: 'twofa-bench/3';
  generatedAt: string;
  git: { commit: string; uncommittedFiles: number };
  environment: {
    node: string;
    moduleLoadNode: string;
    platform: string;
    cpus: number;
    loadAverage: number[];
    users: number;
    logLevel: string;
  };
  prices: typeof prices;
  durationModel: {
    /** Assumed latency of one sequential DynamoDB or KMS round trip, and why. */
    roundTripMs: number;
    roundTripBasis: string;
    /** The Argon2 the handlers computed with in this run (functions/core/hashing.ts: the addon where its binary loads). */
    handlersHashWith: '@node-rs/argon2' | 'hash-wasm';
    /**
     * What the model does with hashing CPU: `measured-native` (the handlers hashed as deployed, with the addon),
     * `native-by-ratio` (they used hash-wasm: its share divided by the ratio measured in this run).
     */
    hashCpu: 'measured-native' | 'native-by-ratio';
    /** The Node.js that measured the ratios (`--node`, else the bench's own). */
    ratioNode: string;
    /** hash-wasm against @node-rs/argon2 per cost the steps hashed at, measured in this run. */
    argon2Ratios: Argon2Ratio[];
  };
  steps: StepReport[];
  signIn: StepReport;
  loginRefusals: { samples: number; wrongPasswordP50Ms: number; unknownEmailP50Ms: number; ratioUnknownToWrong: number };
  /** DynamoDB and KMS calls that belonged to no measured request nor its security events (0 unless something ran in the background). */
  unattributedCalls: number;
  functions: FunctionReport[];
  cognito: ReturnType<typeof cognitoComparison>;
}

export function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A table; `textColumns` are left-aligned in Markdown, the rest (numbers) right-aligned. */
type Table = { header: string[]; rows: string[][]; textColumns?: number[] };

function calls(callsByType: Record<string, number>): string {
  return Object.entries(callsByType)
    .map(([name, count]) => `${name}×${count}`)
    .join(' ');
}

function dollars(value: number, digits = 2): string {
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

function stepsTable(report: BenchReport): Table {
  const row = (step: StepReport) => [
    step.label,
    String(step.latencyMs.p50),
    String(step.latencyMs.p95),
    String(step.cpuMs.p50),
    step.roundTrips.median === step.roundTrips.max ? String(step.roundTrips.max) : `${step.roundTrips.median} (max ${step.roundTrips.max})`,
    calls(step.callsByType),
    String(step.dynamoDb.readUnits),
    step.dynamoDb.indexWriteUnits > 0
      ? `${step.dynamoDb.writeUnits} (${step.dynamoDb.indexWriteUnits} index)`
      : String(step.dynamoDb.writeUnits),
    String(step.dynamoDb.localReported.writeUnits),
    String(step.kmsCalls),
    String(step.logBytes),
    String(step.securityEvents),
    String(step.modeledDurationMs),
    dollars(step.costPerMillion.total),
  ];
  return {
    header: [
      'step',
      'p50 ms',
      'p95 ms',
      'CPU ms',
      'round trips',
      'calls per request',
      'RRU',
      'WRU',
      'WRU (Local says)',
      'KMS',
      'log bytes',
      'events',
      'billed ms (model)',
      '$ per 1M',
    ],
    rows: [...report.steps.map(row), row(report.signIn)],
    textColumns: [5],
  };
}

/** The names the service's two Argon2id costs (functions/core/hashing.ts) go by. */
const costLabels: Record<string, string> = { 'm=19456,t=2,p=1': 'password', 'm=7168,t=1,p=1': 'backup code' };

function costLabel(cost: string): string {
  return costLabels[cost] ?? cost;
}

function durationTable(report: BenchReport): Table {
  const roundTripMs = report.durationModel.roundTripMs;
  const row = (step: StepReport) => {
    const model = step.modeledDuration;
    const hashes = Object.entries(step.hashes)
      .map(([cost, use]) => `${use.count}× ${costLabel(cost)}`)
      .join(', ');
    return [
      step.label,
      String(step.memoryMb),
      String(model.measuredCpuMs),
      model.hashCpuMs > 0 ? `${model.hashCpuMs} (${hashes})` : '',
      model.hashCpuMs > 0 ? String(model.deployedHashCpuMs) : '',
      String(model.cpuMs),
      `${model.roundTrips} × ${roundTripMs} = ${model.roundTripMs}`,
      String(model.durationMs),
      String(step.modeledDurationMs),
      dollars(step.costPerMillion.lambdaDuration, 3),
    ];
  };
  return {
    header: [
      'step',
      'memory MB',
      'CPU ms p50',
      'of which hashing',
      'as deployed',
      'modeled CPU ms',
      `round trips × ${roundTripMs} ms`,
      'modeled ms',
      'billed ms',
      'Lambda duration $ per 1M',
    ],
    rows: [...report.steps.map(row), row(report.signIn)],
    textColumns: [3],
  };
}

function durationModelLine(report: BenchReport): string {
  const model = report.durationModel;
  const ratios = model.argon2Ratios
    .map(
      (ratio) =>
        `${costLabel(ratio.cost)} (${ratio.cost}) hash-wasm ${ratio.hashWasmCpuMs} ms against native ${ratio.nativeCpuMs} ms, ` +
        `${ratio.ratio.toFixed(2)}× (wall ${ratio.hashWasmWallMs} against ${ratio.nativeWallMs} ms)`,
    )
    .join('; ');
  const runs = model.argon2Ratios[0]?.runs ?? 0;
  const measuredRatios =
    `hash-wasm against @node-rs/argon2 measured in this run with Node.js ${model.ratioNode} (${runs} alternated runs of each, ` +
    `process CPU of all threads, medians): ${ratios}.`;
  const hashing = {
    'measured-native':
      `Argon2 hashing is priced as measured: the handlers hashed with @node-rs/argon2, as the deployed functions do (its linux-arm64 binary). ` +
      `For comparison, ${measuredRatios}`,
    'native-by-ratio':
      `The handlers hashed with hash-wasm (no @node-rs/argon2 binary loaded here); the deployed functions hash with @node-rs/argon2, ` +
      `so each step's hash-wasm CPU (its median per request) is divided by the ratio of ${measuredRatios}`,
  }[model.hashCpu];
  return (
    `Lambda duration as priced: per request, the step's CPU time p50 measured here (this process: handler, local bridge, ` +
    `metering proxies and client; taken as one vCPU's time, which Lambda gives in full from 1,769 MB) with its hashing share ` +
    `priced as below, plus its sequential DynamoDB and KMS round trips × ${model.roundTripMs} ms (assumed, not measured ` +
    `here; basis: ${model.roundTripBasis}); rounded up to the ms per invocation. The p50 and p95 latency columns are this machine's, ` +
    `queueing under its load included, and price nothing. ${hashing}`
  );
}

const costParts: [keyof CostPerMillion, string][] = [
  ['httpApi', 'HTTP API requests'],
  ['lambdaRequests', 'Lambda requests'],
  ['lambdaDuration', 'Lambda duration'],
  ['dynamoDbReads', 'DynamoDB reads'],
  ['dynamoDbWrites', 'DynamoDB writes'],
  ['kms', 'KMS requests'],
  ['cloudWatchLogs', 'CloudWatch Logs'],
  ['securityEvents', 'security events'],
  ['total', 'total'],
];

function costTable(report: BenchReport): Table {
  const shown = [...report.steps.filter((step) => ['login', 'loginVerifyTotp'].includes(step.id)), report.signIn];
  return {
    header: ['$ per 1M', ...shown.map((step) => step.label)],
    rows: costParts.map(([key, label]) => [label, ...shown.map((step) => dollars(step.costPerMillion[key], 3))]),
  };
}

function cognitoTable(report: BenchReport): Table {
  return {
    header: ['MAU (10 sign-ins each a month)', 'this service', 'Cognito Essentials', 'Cognito Lite'],
    rows: report.cognito.monthly.map((level) => [
      level.mau.toLocaleString('en-US'),
      dollars(level.thisService),
      dollars(level.cognitoEssentials),
      dollars(level.cognitoLite),
    ]),
  };
}

function functionsTable(report: BenchReport): Table {
  return {
    header: [
      'function',
      'memory MB',
      'bundle KB',
      'source map KB',
      'naive bundle of',
      'naive bundle KB',
      'module load ms',
      'naive load ms',
      'ratio to naive',
    ],
    rows: report.functions.map((fn) => [
      fn.function,
      String(fn.memoryMb),
      String(Math.round(fn.bundleKb)),
      String(Math.round(fn.sourceMapKb)),
      (fn.naiveSdkPackages ?? fn.awsSdkPackages).map((name) => name.replace('@aws-sdk/', '')).join(' + ') || '—',
      String(Math.round(fn.naiveBundleKb)),
      fn.moduleLoad ? String(fn.moduleLoad.bundleMs) : '',
      fn.moduleLoad ? String(fn.moduleLoad.naiveMs) : '',
      fn.moduleLoad?.ratio ? `${fn.moduleLoad.ratio.toFixed(2)}×` : fn.moduleLoad ? '—' : '',
    ]),
  };
}

function runLine(report: BenchReport): string {
  const env = report.environment;
  return (
    `${env.users} users, each step once per user, sequentially, against the local stack; ${env.node} (module loads: ${env.moduleLoadNode}), ` +
    `${env.cpus} CPUs, load average ${env.loadAverage.join(' ')}; commit ${report.git.commit.slice(0, 10)}` +
    (report.git.uncommittedFiles > 0 ? ` with ${report.git.uncommittedFiles} uncommitted files` : '') +
    `; ${report.generatedAt.slice(0, 10)}`
  );
}

function unattributedLine(report: BenchReport): string[] {
  return report.unattributedCalls > 0
    ? [`${report.unattributedCalls} DynamoDB or KMS calls belonged to no measured request: something ran in the background.`]
    : [];
}

function refusalLine(report: BenchReport): string {
  const refusals = report.loginRefusals;
  return (
    `Login refusals, ${refusals.samples} of each, interleaved: wrong password p50 ${refusals.wrongPasswordP50Ms} ms, ` +
    `unknown email p50 ${refusals.unknownEmailP50Ms} ms, ratio unknown/wrong ${refusals.ratioUnknownToWrong.toFixed(2)}.`
  );
}

function cognitoLine(report: BenchReport): string {
  const cognito = report.cognito;
  return (
    `At ${cognito.signInsPerUserPerMonth} sign-ins per user a month: this service ${dollars(cognito.thisServicePerMau, 5)} per MAU; ` +
    `Cognito Essentials ${dollars(cognito.cognitoEssentialsPerMau, 4)} and Lite ${dollars(cognito.cognitoLitePerMau, 4)} per MAU ` +
    `beyond ${cognito.cognitoFreeMau.toLocaleString('en-US')} free MAU.`
  );
}

function text(table: Table): string {
  const widths = table.header.map((title, column) => Math.max(title.length, ...table.rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(table.header), widths.map((width) => '-'.repeat(width)).join('  '), ...table.rows.map(line)].join('\n');
}

function markdown(table: Table): string {
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  const alignment = table.header.map((_, column) => (column === 0 || table.textColumns?.includes(column) ? '---' : '---:'));
  return [line(table.header), line(alignment), ...table.rows.map(line)].join('\n');
}

export function textReport(report: BenchReport): string {
  const sections = [
    `2FA service benchmark: ${runLine(report)}`,
    '(latency is this machine\'s, not Lambda\'s, and prices nothing: cost uses "billed ms (model)"; RRU/WRU as AWS bills them, ' +
      '"WRU (Local says)" as DynamoDB Local reports them; figures per request)',
    text(stepsTable(report)),
    ...unattributedLine(report),
    refusalLine(report),
    durationModelLine(report),
    text(durationTable(report)),
    text(costTable(report)),
    cognitoLine(report),
    text(cognitoTable(report)),
  ];
  if (report.functions.length > 0) sections.push(text(functionsTable(report)));
  return `\n${sections.join('\n\n')}\n`;
}

export function markdownReport(report: BenchReport): string {
  const sections = [
    `Measured: ${runLine(report)}.`,
    markdown(stepsTable(report)),
    ...unattributedLine(report),
    refusalLine(report),
    durationModelLine(report),
    markdown(durationTable(report)),
    markdown(costTable(report)),
    cognitoLine(report),
    markdown(cognitoTable(report)),
  ];
  if (report.functions.length > 0) sections.push(markdown(functionsTable(report)));
  return `${sections.join('\n\n')}\n`;
}
