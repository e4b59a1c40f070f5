import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import type { IConstruct } from 'constructs';

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
