import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Metafile } from 'esbuild';
import type { IConstruct } from 'constructs';
import {
  enforcementRemindersStep,
  eventsStep,
  httpSteps,
  notFoundStep,
  notifierStep,
  platformSteps,
  type StepAccess,
} from '../functions/routes.js';

const run = promisify(execFile);

/** One Lambda function of the service as the CDK app defines it. */
export interface DeployedFunction {
  /** The handler's directory under `functions/`, e.g. `login-verify`. */
  name: string;
  memoryMb: number;
  runtime: string;
  architecture: string;
  /** `Text` (START/END/REPORT lines) or `JSON` (platform records). */
  logFormat: string;
  /** The function's environment; values the template only knows at deploy time become placeholders. */
  environment: Record<string, string>;
  /** What `NodejsFunction` runs to bundle it on this machine, with this run's output directory. */
  bundlingSteps: BundlingStep[];
  /** Where the bundle lands. */
  outputDir: string;
}

type BundlingStep =
  { type: 'spawn'; command: string[]; cwd?: string } | { type: 'shell'; commands: string[] } | { type: 'callback'; operation: () => void };

/** The parts of aws-cdk-lib's internal `Bundling` class the bench calls. */
interface CdkBundling {
  createBundlingSteps(
    scope: IConstruct,
    options: {
      inputDir: string;
      outputDir: string;
      pathJoin: (...paths: string[]) => string;
      esbuildRunner: string[];
      createFileOps: () => BundlingStep[];
    },
  ): BundlingStep[];
}
interface CdkBundlingClass {
  new (scope: IConstruct, props: { entry: string }): CdkBundling;
  bundle(scope: IConstruct, props: { entry: string }): unknown;
}

const projectRoot = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

/**
 * Builds the service's CDK app in memory (without bundling or synthesizing) and reads each function's
 * memory, runtime, environment and log format from it, plus the bundling steps `NodejsFunction` would
 * run, taken from aws-cdk-lib's own `Bundling` class. So the bench bundles exactly as `cdk synth` does
 * with whatever lib/ configures today, only faster: the same esbuild arguments, minus `npx` per function.
 */
export async function describeDeployment(outputRoot: string): Promise<DeployedFunction[]> {
  const { Bundling } = require(join(dirname(require.resolve('aws-cdk-lib/package.json')), 'aws-lambda-nodejs/lib/bundling.js')) as {
    Bundling: CdkBundlingClass;
  };
  const captured: { scope: IConstruct; entry: string; bundling: CdkBundling }[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- restored below, called with its class
  const originalBundle = Bundling.bundle;
  Bundling.bundle = (scope, props) => {
    captured.push({ scope, entry: props.entry, bundling: new Bundling(scope, props) });
    return originalBundle.call(Bundling, scope, props);
  };
  try {
    const { App, Stack } = await import('aws-cdk-lib');
    const lambda = await import('aws-cdk-lib/aws-lambda');
    const { addTwoFactorService } = await import('../lib/two-factor-app.js');
    // An empty bundling-stacks list is what `cdk synth --exclusively` uses to skip bundling.
    const app = new App({ outdir: join(outputRoot, 'cdk.out'), context: { 'aws:cdk:bundling-stacks': [] } });
    addTwoFactorService(app);
    const functions: DeployedFunction[] = [];
    for (const construct of app.node.findAll()) {
      if (!(construct instanceof lambda.Function)) continue;
      const bundled = captured.filter((entry) => entry.scope === construct.node.scope);
      const [only] = bundled;
      if (!only || bundled.length > 1) continue;
      const cfn = construct.node.defaultChild as InstanceType<typeof lambda.CfnFunction>;
      const stack = Stack.of(construct);
      const name = relative(join(projectRoot, 'functions'), dirname(only.entry));
      const outputDir = join(outputRoot, 'functions', name);
      const environment = stack.resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined;
      const loggingConfig = stack.resolve(cfn.loggingConfig) as { logFormat?: string } | undefined;
      const architectures = stack.resolve(cfn.architectures) as string[] | undefined;
      functions.push({
        name,
        memoryMb: Number(stack.resolve(cfn.memorySize) ?? 128),
        runtime: String(stack.resolve(cfn.runtime)),
        architecture: architectures?.[0] ?? 'x86_64',
        logFormat: loggingConfig?.logFormat ?? 'Text',
        environment: Object.fromEntries(
          Object.entries(environment?.variables ?? {}).map(([key, value]) => [
            key,
            typeof value === 'string' ? value : `bench-placeholder-${key}`,
          ]),
        ),
        bundlingSteps: only.bundling.createBundlingSteps(only.scope, {
          inputDir: projectRoot,
          outputDir,
          pathJoin: join,
          esbuildRunner: [join(projectRoot, 'node_modules', '.bin', 'esbuild')],
          createFileOps: () => [],
        }),
        outputDir,
      });
    }
    if (functions.length === 0)
      throw new Error('lib/ builds no NodejsFunction: teach bench/deployment.ts how the functions are bundled now');
    return functions.sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    Bundling.bundle = originalBundle;
  }
}

/** A function's bundle as built for deployment. */
export interface BuiltBundle {
  file: string;
  bytes: number;
  sourceMapBytes: number;
  /** The `@aws-sdk/*` packages the service's own modules import. */
  awsClients: string[];
}

/** An AWS service a function talks to with the client of the naive bundle. */
type NaiveService = 'DynamoDB' | 'KMS';

/**
 * The AWS SDK packages the obvious code would load to talk to each service: the naive bundle of a function is
 * defined by the services it talks to, not by what its bundle imports (the steps reach DynamoDB and KMS through
 * the service's lean client, which imports no SDK client).
 */
const naiveServicePackages: Record<NaiveService, string[]> = {
  DynamoDB: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'],
  KMS: ['@aws-sdk/client-kms'],
};

const stepAccess = new Map<string, StepAccess>(
  [...httpSteps, notFoundStep, ...platformSteps, eventsStep, notifierStep, enforcementRemindersStep].map(({ step, access }) => [
    step,
    access,
  ]),
);

/** The services a function talks to through the lean client: its step's table and KMS access in functions/routes.ts. */
export function servicesOf(functionName: string): NaiveService[] {
  const access = stepAccess.get(functionName);
  if (!access) throw new Error(`functions/routes.ts has no step ${functionName}: teach bench/deployment.ts its AWS services`);
  return [
    ...(access.table.length > 0 || access.queriesUsersIndex ? (['DynamoDB'] as const) : []),
    ...(access.kms === 'none' ? [] : (['KMS'] as const)),
  ];
}

/**
 * What the naive bundle of a function imports: the packages of the services it talks to, and every AWS SDK
 * client (`@aws-sdk/client-*`) its own modules still import (EventBridge, SQS, SES); helper packages such as
 * `@aws-sdk/util-dynamodb` are part of the clients already.
 */
export function naivePackagesOf(services: NaiveService[], bundle: BuiltBundle): string[] {
  const packages = new Set(services.flatMap((service) => naiveServicePackages[service]));
  for (const client of bundle.awsClients) if (client.startsWith('@aws-sdk/client-')) packages.add(client);
  return [...packages].sort();
}

const esbuildPath = (argument: string) => argument.startsWith('--outfile=');

/**
 * Runs each function's bundling steps. Functions bundled by one esbuild command that differs only in its
 * entry and output file (all of them, today) are built by one esbuild run with several entry points:
 * without code splitting esbuild bundles each entry point on its own, so the files are the same.
 */
export async function buildBundles(functions: DeployedFunction[], outputRoot: string): Promise<Map<string, BuiltBundle>> {
  const groups = new Map<string, { fn: DeployedFunction; entry: string; outfile: string }[]>();
  const individual: DeployedFunction[] = [];
  for (const fn of functions) {
    const [step, ...more] = fn.bundlingSteps;
    const command = step?.type === 'spawn' ? step.command : [];
    const outfile = command.find(esbuildPath)?.slice('--outfile='.length);
    if (more.length > 0 || command[1] !== '--bundle' || !command[2] || !outfile) {
      individual.push(fn);
      continue;
    }
    const key = JSON.stringify(command.filter((argument, index) => index !== 2 && !esbuildPath(argument)));
    groups.set(key, [...(groups.get(key) ?? []), { fn, entry: command[2], outfile }]);
  }
  const built = new Map<string, BuiltBundle>();
  let groupNumber = 0;
  for (const [key, members] of groups) {
    const [runner = 'esbuild', ...options] = JSON.parse(key) as string[];
    const groupDir = join(outputRoot, `group-${groupNumber++}`);
    const metafile = join(groupDir, 'meta.json');
    const outName = members[0]?.outfile.split('/').pop() ?? 'index.js';
    const extension = outName.slice(outName.lastIndexOf('.'));
    const stem = outName.slice(0, outName.lastIndexOf('.'));
    await run(
      runner,
      [
        '--bundle',
        ...members.map((member) => member.entry),
        ...options.slice(1),
        `--outdir=${groupDir}`,
        `--outbase=${projectRoot}`,
        `--entry-names=[dir]/${stem}`,
        `--out-extension:.js=${extension}`,
        `--metafile=${metafile}`,
        '--log-level=warning',
      ],
      { cwd: projectRoot, maxBuffer: 16 * 1024 * 1024 },
    );
    const meta = JSON.parse(readFileSync(metafile, 'utf8')) as Metafile;
    for (const member of members) {
      const file = join(groupDir, relative(projectRoot, dirname(member.entry)), outName);
      built.set(member.fn.name, describeBundle(file, meta));
    }
  }
  for (const fn of individual) {
    for (const step of fn.bundlingSteps) {
      if (step.type === 'callback') step.operation();
      else if (step.type === 'shell') for (const command of step.commands) await run('bash', ['-c', command], { cwd: projectRoot });
      else {
        const [program = '', ...args] = step.command;
        const metafileArgs = program.endsWith('esbuild') ? [`--metafile=${join(fn.outputDir, 'bench-meta.json')}`] : [];
        await run(program, [...args, ...metafileArgs], { cwd: step.cwd ?? projectRoot, maxBuffer: 16 * 1024 * 1024 });
      }
    }
    const command = fn.bundlingSteps.find((step) => step.type === 'spawn')?.command ?? [];
    const outfile = command.find(esbuildPath)?.slice('--outfile='.length) ?? join(fn.outputDir, 'index.mjs');
    const meta = JSON.parse(readFileSync(join(fn.outputDir, 'bench-meta.json'), 'utf8')) as Metafile;
    built.set(fn.name, describeBundle(outfile, meta));
  }
  return built;
}

function describeBundle(file: string, meta: Metafile): BuiltBundle {
  const output = Object.entries(meta.outputs).find(([path]) => resolve(projectRoot, path) === file)?.[1];
  if (!output) throw new Error(`esbuild's metafile does not list ${file}`);
  const clients = new Set<string>();
  for (const input of Object.keys(output.inputs)) {
    if (input.includes('node_modules/')) continue;
    for (const imported of meta.inputs[input]?.imports ?? []) {
      const specifier = imported.original ?? imported.path;
      const match = /^(@aws-sdk\/[^/]+)/.exec(specifier) ?? /node_modules\/(@aws-sdk\/[^/]+)\//.exec(imported.path);
      if (match?.[1]) clients.add(match[1]);
    }
  }
  let sourceMapBytes = 0;
  try {
    sourceMapBytes = statSync(`${file}.map`).size;
  } catch {
    // No source map.
  }
  return { file, bytes: statSync(file).size, sourceMapBytes, awsClients: [...clients].sort() };
}

/**
 * The naive bundle for a set of AWS clients: a module that imports each package whole and nothing else,
 * bundled with esbuild's defaults but for `platform: 'node'` (which makes it a CommonJS module for Node.js).
 */
export async function buildNaiveBundle(awsClients: string[], outputRoot: string): Promise<{ file: string; bytes: number }> {
  const { build } = await import('esbuild');
  const file = join(outputRoot, 'naive', awsClients.length === 0 ? 'none' : awsClients.join('+').replaceAll('/', '_'), 'index.cjs');
  await build({
    stdin: {
      contents: awsClients.map((client, index) => `export * as client${index} from '${client}';`).join('\n'),
      resolveDir: projectRoot,
      sourcefile: 'naive.mjs',
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    outfile: file,
    logLevel: 'warning',
  });
  return { file, bytes: statSync(file).size };
}

/** A module to time: its file and the environment its Lambda function would give it. */
export interface LoadTarget {
  id: string;
  file: string;
  environment: Record<string, string>;
}

/**
 * Times loading each target in fresh Node.js processes, `runs` times each, the targets interleaved (a
 * different order each round) so the machine's load drifts over all of them alike. A module is loaded the
 * way Lambda's Node.js runtime loads a handler: `require` for CommonJS (`.js` outside a `"type": "module"`
 * package, `.cjs`), `import()` for ES modules (`.mjs`). Returns each target's samples in milliseconds.
 */
export async function timeModuleLoads(
  targets: LoadTarget[],
  runs: number,
  nodePath: string,
  outputRoot: string,
): Promise<Map<string, number[]>> {
  const runner = join(outputRoot, 'load-module.mjs');
  mkdirSync(outputRoot, { recursive: true });
  writeFileSync(
    runner,
    [
      "import { createRequire } from 'node:module';",
      'const [file, url] = process.argv.slice(2);',
      'const started = performance.now();',
      "if (file.endsWith('.mjs')) await import(url);",
      'else createRequire(url)(file);',
      'process.stdout.write(JSON.stringify({ ms: performance.now() - started }));',
      '',
    ].join('\n'),
  );
  const samples = new Map<string, number[]>(targets.map((target) => [target.id, []]));
  for (let round = 0; round < runs; round++) {
    const order = targets.map((_, index) => targets[(index + round) % targets.length]);
    for (const target of order) {
      if (!target) continue;
      const { stdout } = await run(nodePath, [runner, target.file, pathToFileURL(target.file).href], {
        cwd: dirname(target.file),
        env: { PATH: process.env.PATH ?? '', ...target.environment },
      });
      samples.get(target.id)?.push((JSON.parse(stdout) as { ms: number }).ms);
    }
  }
  return samples;
}

/** The environment Lambda gives a function's process: its own variables plus the runtime's. */
export function lambdaEnvironment(fn: DeployedFunction, file: string): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    LAMBDA_TASK_ROOT: dirname(file),
    ...fn.environment,
  };
}
