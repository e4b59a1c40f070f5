import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StepAccess } from '../functions/routes.js';
import { encryptionContextKey, functionEnvironment, functionTimeoutSeconds } from '../functions/routes.js';
import { tableDesign } from '../functions/table-design.js';
import { memorySizeOf } from './memory-sizes.js';
import { nativeArgon2Environment, nativeArgon2Externals, nativeArgon2Hooks } from './native-argon2.js';
import { deferredModuleCommands, deferredModules } from './deferred-modules.js';
import { depsLockFilePath, handlerEntry, projectRoot } from './project-paths.js';

/** Value of `POWERTOOLS_SERVICE_NAME`: one service, so every function's logs share it. */
const powertoolsServiceName = 'two-factor';

/**
 * What the bundles take in place of the SDK's default credential chain: the environment credentials Lambda
 * provides, where that chain always ends on Lambda (see the module). Relative to `projectRoot`, where esbuild runs.
 */
const lambdaCredentialsModule = './functions/commons/lambda-credentials.ts';

/**
 * Why a step's role has statements on `*`: active tracing's X-Ray actions, which support no resource-level
 * permissions. (The event publisher's `dynamodb:ListStreams` is the other such action.)
 */
const wildcardResourceReason =
  'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) and dynamodb:ListStreams (the stream event source) support no resource-level permissions; every other statement names its resources.';

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
  /** What deleting the stack does to the function's logs: RETAIN on protected stages. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** The function's timeout: `functionTimeoutSeconds` unless a batch step needs longer (the deadline reminders). */
  readonly timeout?: Duration;
  /** Reserved concurrency: the function's ceiling and its floor in the account's pool (login, login/verify). */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A step's Lambda function together with its log group, its role, the grants its
 * {@link StepAccess} implies and the environment its handler reads at load.
 *
 * Every function of the service is built here, so bundling, runtime and least-privilege rules
 * are decided once and the stacks only loop over the step table.
 */
export class StepFunction extends Construct {
  /** The step's directory under `functions/`, which names it in routes.ts. */
  readonly step: string;
  /** The bundled `functions/<step>/handler.ts`. */
  readonly function: NodejsFunction;
  /** Where the function writes its logs. */
  readonly logGroup: LogGroup;
  /** The function's execution role, which the grants of its {@link StepAccess} go to. */
  readonly role: Role;
  /** Whether the step calls KMS (its logs are where KMS errors show). */
  readonly usesKms: boolean;

  constructor(scope: Construct, id: string, props: StepFunctionProps) {
    super(scope, id);
    const { step, access, table, secretsKey } = props;
    this.step = step;
    this.usesKms = access.kms !== 'none';

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      // On protected stages logs outlive a torn-down API stack so an incident can still be investigated;
      // the retention bounds what they cost.
      removalPolicy: props.logRemovalPolicy,
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
      timeout: props.timeout ?? Duration.seconds(functionTimeoutSeconds),
      role,
      logGroup: this.logGroup,
      environment,
      // X-Ray traces of every invocation, the SDK calls within included (the handlers' Powertools tracer).
      tracing: Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
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
        // And the packages loaded only on some invocations, bundled apart beside it (lib/deferred-modules.ts).
        externalModules: [...nativeArgon2Externals, ...deferredModules],
        commandHooks: {
          ...nativeArgon2Hooks,
          afterBundling: (inputDir, outputDir) => [
            ...nativeArgon2Hooks.afterBundling(inputDir, outputDir),
            ...deferredModuleCommands(outputDir),
          ],
        },
        esbuildArgs: { '--alias': [`@aws-sdk/credential-provider-node=${lambdaCredentialsModule}`] },
      },
    });

    grantTableAccess(table, role, access);
    grantKeyAccess(secretsKey, role, access.kms);

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: wildcardResourceReason,
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        "No step is invoked asynchronously, the only case a DeadLetterConfig serves: API Gateway and `aws lambda invoke` wait for the answer, and the event publisher's stream mapping sends what it gives up on to its own on-failure queue.",
    });
  }
}

/**
 * Grants exactly the table actions the step calls, on the table alone, and `Query` on the users index to a
 * step that lists users: no `Scan`, no batch action the step does not batch, no index it does not query.
 */
function grantTableAccess(table: ITable, role: Role, access: StepAccess): void {
  if (access.table.length > 0) {
    Grant.addToPrincipal({ grantee: role, actions: access.table.map((action) => `dynamodb:${action}`), resourceArns: [table.tableArn] });
  }
  if (access.queriesUsersIndex) {
    Grant.addToPrincipal({
      grantee: role,
      actions: ['dynamodb:Query'],
      resourceArns: [`${table.tableArn}/index/${tableDesign.usersIndex.name}`],
    });
  }
}

/**
 * Every use of the key must name the app it is for: the grants hold only for requests whose encryption
 * context has exactly the `appId` key: no key but it (`ForAllValues`), and some key (`Null` false, as
 * `ForAllValues` holds for an empty context too). The key policy denies every other request as well (see
 * data-stack.ts); the secret box always sends it (functions/adapters/kms/envelope-secret-box.ts).
 */
const appIdContextOnly = {
  'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [encryptionContextKey] },
  Null: { 'kms:EncryptionContextKeys': 'false' },
};

function grantKeyAccess(key: IKey, role: Role, access: StepAccess['kms']): void {
  // Not grantDecrypt or grantGenerateDataKey: they take no condition, and the latter grants
  // `kms:GenerateDataKey*`, which includes the WithoutPlaintext variants the service never calls. Creating an
  // app only generates its data key; the steps that later unwrap it have `decrypt`.
  const actions = { decrypt: ['kms:Decrypt'], generateDataKey: ['kms:GenerateDataKey'], none: [] }[access];
  if (actions.length === 0) return;
  Grant.addToPrincipal({ grantee: role, actions, resourceArns: [key.keyArn], conditions: appIdContextOnly });
}

/** Turns a step or function name (`login-verify`, `createApp`) into a construct id (`LoginVerify`). */
export function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
