import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
// The function cdk-nag itself uses to name a resource in a finding, so the acknowledgement matches.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import type { StepAccess } from '../functions/routes.js';
import { functionEnvironment, functionTimeoutSeconds } from '../functions/routes.js';
import { memorySizeOf } from './memory-sizes.js';
import { nativeArgon2Environment, nativeArgon2Externals, nativeArgon2Hooks } from './native-argon2.js';
import { depsLockFilePath, handlerEntry, projectRoot } from './project-paths.js';

/** Value of `POWERTOOLS_SERVICE_NAME`: one service, so every function's logs share it. */
const powertoolsServiceName = 'two-factor';

/**
 * What the bundles take in place of the SDK's default credential chain: the environment credentials Lambda
 * provides, where that chain always ends on Lambda (see the module). Relative to `projectRoot`, where esbuild runs.
 */
const lambdaCredentialsModule = './functions/commons/lambda-credentials.ts';

/** What {@link StepFunction} needs to build one step of the service. */
export interface StepFunctionProps {
  /** The step's directory under `functions/`, e.g. `login-verify`. */
  readonly step: string;
  /** What the step may do with the table and the key; granted exactly, nothing more. */
  readonly access: StepAccess;
  /** Shown in the console next to the generated function name, e.g. the route it serves. */
  readonly description: string;
  readonly table: ITable;
  readonly secretsKey: IKey;
  /** More environment for the handler, e.g. the event bus of the event publisher. */
  readonly environment?: Record<string, string>;
}

/**
 * A step's Lambda function together with its log group, its role, the grants its
 * {@link StepAccess} implies and the environment its handler reads at load.
 *
 * Every function of the service is built here, so bundling, runtime and least-privilege rules
 * are decided once and the stacks only loop over the step table.
 */
export class StepFunction extends Construct {
  /** The bundled `functions/<step>/handler.ts`. */
  readonly function: NodejsFunction;
  /** Where the function writes its logs. */
  readonly logGroup: LogGroup;
  /** The function's execution role, which the grants of its {@link StepAccess} go to. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: StepFunctionProps) {
    super(scope, id);
    const { step, access, table, secretsKey } = props;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      // Logs outlive a torn-down API stack so an incident can still be investigated; the
      // retention bounds what they cost.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // An explicit role instead of the default one: AWSLambdaBasicExecutionRole would let the
    // function write to any log group in the account, this one may write to its own only.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the two-factor step ${step}`,
    });
    this.role = role;
    this.logGroup.grantWrite(role);

    // No NODE_OPTIONS=--enable-source-maps: it makes Node read and parse the bundle's source map at every cold
    // start (docs/runtime-and-bundles.md). The map ships beside the bundle; set the variable on a function
    // while debugging to get stack traces in source terms.
    const environment: Record<string, string> = {
      [functionEnvironment.tableName]: table.tableName,
      POWERTOOLS_SERVICE_NAME: powertoolsServiceName,
      // Read only by a bundle that hashes (lib/native-argon2.ts copies the binary into those alone).
      ...nativeArgon2Environment,
    };
    if (access.kms !== 'none') {
      environment[functionEnvironment.kmsKeyId] = secretsKey.keyArn;
    }
    Object.assign(environment, props.environment);

    this.function = new NodejsFunction(this, 'Function', {
      entry: handlerEntry(step),
      handler: 'handler',
      projectRoot,
      depsLockFilePath,
      description: `${step}: ${props.description}`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: memorySizeOf(step),
      timeout: Duration.seconds(functionTimeoutSeconds),
      role,
      logGroup: this.logGroup,
      environment,
      bundling: {
        // Docker is neither needed nor available in CI: the local esbuild binary bundles.
        forceDockerBundling: false,
        // CommonJS output of the ESM sources: each `require` of a Node built-in stays where the code that needs
        // it runs, so what only a path never taken on Lambda uses is never loaded. ESM output hoists every
        // built-in import of the bundle to load time, node:http among them, whose ESM namespace makes Node 24
        // load its bundled undici (docs/runtime-and-bundles.md).
        format: OutputFormat.CJS,
        target: 'node24',
        // Prefer packages' ESM builds, which esbuild tree-shakes; middy and others ship only ESM.
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // Bundle the AWS SDK too: versions pinned by package-lock.json instead of whatever the
        // runtime ships, and a tree-shaken bundle loads faster than the runtime's full SDK.
        // The one exception: @node-rs/argon2's platform binaries, which a bundle cannot hold; the binary for Lambda's
        // platform is copied beside the bundles that hash (lib/native-argon2.ts).
        externalModules: nativeArgon2Externals,
        commandHooks: nativeArgon2Hooks,
        esbuildArgs: { '--alias': [`@aws-sdk/credential-provider-node=${lambdaCredentialsModule}`] },
      },
    });

    grantTableAccess(table, role, access.table);
    grantKeyAccess(secretsKey, role, access.kms);

    if (access.table !== 'none') {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${tableIndexesResource(this, table)}]`,
        reason:
          "The table grant covers the table's indexes (`<table ARN>/index/*`): gsi1 lists an app's users and querying it needs the index ARN.",
      });
    }
  }
}

/**
 * The `<table ARN>/index/*` resource of table grants as cdk-nag names it in an IAM5 finding.
 *
 * cdk-nag v3 acknowledges findings by exact id only, and the id contains the table ARN as the
 * granting stack renders it: a GetAtt in the table's own stack, else the cross-stack export
 * (`exportValue` returns the very export the automatic reference uses). Should the rendering ever
 * change, the acknowledgement stops matching and synth fails loudly rather than hiding anything.
 */
function tableIndexesResource(scope: Construct, table: ITable): string {
  const producer = Stack.of(table);
  const tableArn = Stack.of(scope) === producer ? table.tableArn : producer.exportValue(table.tableArn);
  return `${flattenCfnReference(producer.resolve(tableArn))}/index/*`;
}

function grantTableAccess(table: ITable, role: Role, access: StepAccess['table']): void {
  switch (access) {
    case 'read':
      table.grantReadData(role);
      return;
    case 'readWrite':
      table.grantReadWriteData(role);
      return;
    case 'none':
      return;
  }
}

function grantKeyAccess(key: IKey, role: Role, access: StepAccess['kms']): void {
  switch (access) {
    case 'decrypt':
      key.grantDecrypt(role);
      return;
    case 'generateDataKey':
      // Not grantGenerateDataKey: it grants `kms:GenerateDataKey*`, which includes the
      // WithoutPlaintext variants the service never calls. Creating an app only generates its data
      // key; the steps that later unwrap it have `decrypt`.
      key.grant(role, 'kms:GenerateDataKey');
      return;
    case 'none':
      return;
  }
}

/** Turns a step or function name (`login-verify`, `createApp`) into a construct id (`LoginVerify`). */
export function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
