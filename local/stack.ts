import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { ensureTable, startDynamoDbLocal } from './dynamodb-local.js';
import { asFunctionOf } from './invocation-context.js';
import { startKmsStandIn } from './kms-stand-in.js';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { functionTimeoutSeconds } from '../functions/routes.js';
import {
  type InvocationRecord,
  type InvocationTimeout,
  lambdaContext,
  startApiGatewayBridge,
  startLambdaInvokeEndpoint,
} from './api-gateway-bridge.js';
import { type RuleTargetEvent, startEventBridgeStandIn } from './eventbridge-stand-in.js';
import { asInvocation, installInvokeStore } from './invoke-store.js';
import { startSesStandIn } from './ses-stand-in.js';
import { startSqsStandIn } from './sqs-stand-in.js';
import { securityEmailEventTypes, securityEventSource } from '../functions/core/security-events.js';
import { startStreamRelay } from './stream-relay.js';

export interface LocalStackOptions {
  /** API port (API.md: 3000); 0 picks a free one. */
  port: number;
  /** Port of the Lambda Invoke endpoint for the platform functions; 0 picks a free one. */
  lambdaPort: number;
  host: string;
  /** Keep DynamoDB data and KMS keys here between runs; in memory when absent. */
  dataDir?: string;
  /** Password of the seeded demo admin; generated when absent. */
  demoAdminPassword?: string;
  /**
   * Lets a benchmark or a test put something (a counter, a fault injector) between the handlers and a
   * dependency: given the real endpoint, returns the one the handlers should use.
   */
  interpose?: (service: 'dynamodb' | 'kms' | 'events' | 'streams' | 'sqs', endpoint: string) => Promise<string>;
  /** Receives each published security event as a line; stdout when absent. */
  printEvent?: (line: string) => void;
  /**
   * Where the SES stand-in writes each email (`.json`, `.txt`, `.html`): default `<dataDir>/mail`, or a new
   * folder under the OS temp dir when there is no data folder.
   */
  mailDir?: string;
  /** Receives one line per email sent (recipient and subject); stdout when absent. */
  printMail?: (line: string) => void;
  /**
   * The deadline each invocation gets (default: the deployed functions' timeout). Lambda runs parallel
   * requests on separate instances; this one process runs them all on the machine's few cores, so a
   * burst of password hashes can outlast the deployed timeout while waiting for the CPU, not for a hang.
   * A function gives an invocation its own by what it is about (a test's short deadline); undefined there:
   * the default.
   */
  invocationTimeoutMs?: InvocationTimeout;
  /** Sees each invocation (HTTP steps and platform functions) once answered: the timeout it was given and the time it took. */
  observeInvocation?: (invocation: InvocationRecord) => void;
}

export interface LocalStack {
  url: string;
  lambdaUrl: string;
  dynamoDbEndpoint: string;
  kmsEndpoint: string;
  /** The EventBridge stand-in; `GET <eventsUrl>/events` lists the security events published so far. */
  eventsUrl: string;
  /** The SES v2 stand-in the notifier sends through. */
  sesUrl: string;
  /** The folder the SES stand-in writes every email to. */
  mailDir: string;
  /** The dead-letter queue's stand-in; `GET <deadLettersUrl>/messages` lists the events it keeps. */
  deadLettersUrl: string;
  /** The queue's URL, for `npm run cli -- redrive-events --queue-url`. */
  deadLetterQueueUrl: string;
  tableName: string;
  kmsKeyArn: string;
  demo: { appId: string; adminEmail: string; adminPassword: string | null; created: boolean };
  stop(): Promise<void>;
}

const tableName = 'two-factor';
const demoApp = { appId: 'demo', name: 'Demo Portal', plan: 'enterprise', adminEmail: 'admin@demo.test' } as const;

/**
 * Starts the whole service on this machine: DynamoDB Local, the KMS stand-in, the API Gateway bridge that
 * calls the same handler modules Lambda runs, and the Lambda Invoke endpoint; then seeds the demo app.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    // Before any handler module loads: Powertools then keeps each concurrent invocation's log keys and metrics apart.
    installInvokeStore();
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const dynamo = await startDynamoDbLocal({ dataDir: options.dataDir ? join(options.dataDir, 'dynamodb') : undefined });
    stops.push(() => dynamo.stop());
    const kms = await startKmsStandIn({ dataFile: options.dataDir ? join(options.dataDir, 'kms-keys.json') : undefined });
    stops.push(() => kms.close());
    const kmsKeyArn = await localKmsKey(options.dataDir, () => kms.createKey('two-factor secrets (local)'));
    await ensureTable(dynamo.endpoint, tableName);
    const eventBridge = await startEventBridgeStandIn({ print: options.printEvent });
    stops.push(() => eventBridge.close());
    const mailDir = options.mailDir ?? (options.dataDir ? join(options.dataDir, 'mail') : mkdtempSync(join(tmpdir(), 'two-factor-mail-')));
    const ses = await startSesStandIn({ mailDir, print: options.printMail });
    stops.push(() => ses.close());
    const deadLetters = await startSqsStandIn();
    stops.push(() => deadLetters.close());
    const sqsEndpoint = options.interpose ? await options.interpose('sqs', deadLetters.url) : deadLetters.url;

    // The handlers read their configuration from the environment, exactly as in Lambda; the SDK reads
    // the service endpoints from AWS_ENDPOINT_URL_*, so no production code knows it runs locally.
    Object.assign(process.env, {
      TABLE_NAME: tableName,
      KMS_KEY_ID: kmsKeyArn,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: options.interpose ? await options.interpose('dynamodb', dynamo.endpoint) : dynamo.endpoint,
      AWS_ENDPOINT_URL_KMS: options.interpose ? await options.interpose('kms', kms.url) : kms.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: options.interpose ? await options.interpose('events', eventBridge.url) : eventBridge.url,
      AWS_ENDPOINT_URL_SESV2: ses.url,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      EVENT_BUS_NAME: 'two-factor-security-events',
      DEAD_LETTER_QUEUE_URL: deadLetters.queueUrl(sqsEndpoint),
      SENDER_ADDRESS: 'no-reply@two-factor.localhost',
      SES_CONFIGURATION_SET: 'two-factor-local',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      POWERTOOLS_SERVICE_NAME: 'two-factor-local',
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;

    // Security events leave through the table's stream, as in AWS, to the same publisher handler.
    const { handler: publishEvents } = (await import('../functions/publish-events/handler.js')) as {
      handler: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
    };
    // The stream reads are the event source mapping's, which Lambda makes with the publisher's role: they run
    // as the publisher, as its handler does.
    const streamsEndpoint = options.interpose ? await options.interpose('streams', dynamo.endpoint) : dynamo.endpoint;
    const relay = await asFunctionOf('publish-events', () =>
      startStreamRelay({
        endpoint: streamsEndpoint,
        tableName,
        handler: (event) => {
          const context = lambdaContext('publish-events', functionTimeoutSeconds * 1000);
          return asInvocation(context.awsRequestId, () => publishEvents(event, context));
        },
      }),
    );
    stops.push(() => relay.stop());

    // The notifier hangs off the bus as in AWS: a rule on the security events it emails about.
    const { handler: notify } = (await import('../functions/notifier/handler.js')) as {
      handler: (event: RuleTargetEvent, context: Context) => Promise<void>;
    };
    // It runs as the notifier, whose role's grants the test stack checks its calls against.
    eventBridge.addRule({
      source: securityEventSource,
      detailTypes: securityEmailEventTypes,
      target: (event) => {
        const context = lambdaContext('notifier', functionTimeoutSeconds * 1000);
        return asFunctionOf('notifier', () => asInvocation(context.awsRequestId, () => notify(event, context)));
      },
    });

    const demo = await seedDemoApp(options.demoAdminPassword);
    const api = await startApiGatewayBridge({
      port: options.port,
      host: options.host,
      invocationTimeoutMs: options.invocationTimeoutMs,
      observe: options.observeInvocation,
    });
    stops.push(() => closeServer(api.server));
    const lambda = await startLambdaInvokeEndpoint({
      port: options.lambdaPort,
      invocationTimeoutMs: options.invocationTimeoutMs,
      observe: options.observeInvocation,
    });
    stops.push(() => closeServer(lambda.server));
    return {
      url: api.url,
      lambdaUrl: lambda.url,
      dynamoDbEndpoint: dynamo.endpoint,
      kmsEndpoint: kms.url,
      eventsUrl: eventBridge.url,
      sesUrl: ses.url,
      mailDir,
      deadLettersUrl: deadLetters.url,
      deadLetterQueueUrl: deadLetters.queueUrl(deadLetters.url),
      tableName,
      kmsKeyArn,
      demo,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One KMS key per data folder, remembered so a restart can unwrap the data keys it wrapped. */
async function localKmsKey(dataDir: string | undefined, create: () => Promise<string>): Promise<string> {
  if (!dataDir) return create();
  const file = join(dataDir, 'local-stack.json');
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { kmsKeyArn: string }).kmsKeyArn;
  const kmsKeyArn = await create();
  writeFileSync(file, JSON.stringify({ kmsKeyArn }, null, 2), { mode: 0o600 });
  return kmsKeyArn;
}

async function seedDemoApp(password: string | undefined): Promise<LocalStack['demo']> {
  // Imported after the environment is set: the dependencies read it on first use.
  const { dependencies } = await import('../functions/commons/dependencies.js');
  const { createApp } = await import('../functions/core/use-cases/create-app.js');
  const deps = dependencies();
  if (await deps.apps.getAppRuntime(demoApp.appId)) {
    return { appId: demoApp.appId, adminEmail: demoApp.adminEmail, adminPassword: null, created: false };
  }
  const adminPassword = password ?? randomBytes(12).toString('base64url');
  await createApp(deps, {
    appId: demoApp.appId,
    name: demoApp.name,
    plan: demoApp.plan,
    adminEmail: demoApp.adminEmail,
    adminPassword,
    publishInitialConfig: true,
  });
  return { appId: demoApp.appId, adminEmail: demoApp.adminEmail, adminPassword, created: true };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
