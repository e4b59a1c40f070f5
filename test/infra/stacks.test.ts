/**
 * Specification of the deployed infrastructure: what `cdk synth` produces for the default (`dev`) stage.
 *
 * The app is synthesized once (bundling ~30 functions takes a while) with the context of
 * cdk.json, so these assertions hold for exactly what the CLI would deploy. What differs between
 * stages (protection, canaries, reserved concurrency, the edge front, names) is in stages.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { StepAccess } from '../../functions/routes.js';
import {
  enforcementRemindersStep,
  eventsStep,
  functionEnvironment,
  httpSteps,
  notFoundStep,
  platformSteps,
} from '../../functions/routes.js';
import type { TwoFactorService } from '../../lib/two-factor-app.js';
import { memorySizeOf } from '../../lib/memory-sizes.js';
import { addTwoFactorService } from '../../lib/two-factor-app.js';
import { nativeArgon2Environment, nativeArgon2FileName } from '../../lib/native-argon2.js';
import { deferredModules } from '../../lib/deferred-modules.js';

/** Bundling every function with esbuild takes tens of seconds. */
const synthTimeoutMs = 240_000;

/** The table actions a step's role is granted: those it declares, and `Query` where it queries the users index. */
function expectedTableActions(access: StepAccess): string[] {
  return [...new Set([...access.table, ...(access.queriesUsersIndex ? ['Query'] : [])])].map((action) => `dynamodb:${action}`).sort();
}
const tableWriteActions = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

const expectedKmsActions: Record<StepAccess['kms'], string[]> = {
  none: [],
  decrypt: ['kms:Decrypt'],
  generateDataKey: ['kms:GenerateDataKey'],
};

/** What active tracing adds to every role: X-Ray's actions, which take no resource. */
const tracingActions = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

/** Every function that answers a request: HTTP steps, the not-found step and the platform steps (the event publisher aside). */
const allSteps: { step: string; access: StepAccess }[] = [...httpSteps, notFoundStep, ...platformSteps];

interface PolicyStatement {
  Effect?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

let app: App;
let service: TwoFactorService;
let dataTemplate: Template;
let apiTemplate: Template;

beforeAll(() => {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  app = new App({
    context: {
      ...cdkJson.context,
      // Let synth finish despite cdk-nag findings, so the cdk-nag spec below fails on its own
      // and lists them, instead of every spec failing in this hook.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  service = addTwoFactorService(app);
  dataTemplate = Template.fromStack(service.data);
  apiTemplate = Template.fromStack(service.api);
}, synthTimeoutMs);

/** Logical id of the function built for `step` (an HTTP or not-found step, or a platform step). */
function functionLogicalId(step: string): string {
  const platformStep = platformSteps.find((candidate) => candidate.step === step);
  const fn =
    step === eventsStep.step
      ? service.api.eventPublisher
      : step === enforcementRemindersStep.step
        ? service.api.enforcementReminders
        : platformStep
          ? service.api.platformFunctions.get(platformStep.functionName)
          : service.api.httpFunctions.get(step);
  if (!fn) throw new Error(`no function for step ${step}`);
  return service.api.getLogicalId(fn.node.defaultChild as CfnFunction);
}

function functionProperties(step: string): Record<string, any> {
  const resource = apiTemplate.toJSON().Resources[functionLogicalId(step)];
  return resource.Properties;
}

/** Every statement of the policies attached to the step function's role. */
function roleStatements(step: string): PolicyStatement[] {
  const roleLogicalId = functionProperties(step).Role['Fn::GetAtt'][0];
  const policies = apiTemplate.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleLogicalId }]) },
  });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
}

/** Every action the policies attached to the step function's role allow, sorted. */
function roleActions(step: string): string[] {
  return roleStatements(step)
    .flatMap((statement) => [statement.Action].flat())
    .sort();
}

function actionsWithPrefix(step: string, prefix: string): string[] {
  return roleActions(step).filter((action) => action.startsWith(prefix));
}

/** Logical id of the `live` alias the integration of `routeKey` invokes. */
function routeTargetAlias(routeKey: string): string {
  const routes = Object.values(apiTemplate.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }));
  expect(routes).toHaveLength(1);
  const target: unknown = routes[0]?.Properties.Target;
  // Target is `integrations/<integration id>`: Fn::Join ['', ['integrations/', { Ref: <integration> }]].
  const integrationLogicalId = (target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1].Ref;
  const integration = apiTemplate.toJSON().Resources[integrationLogicalId];
  // An alias's Ref is its ARN.
  return integration.Properties.IntegrationUri.Ref;
}

/** Logical id of the function behind the `live` alias the integration of `routeKey` invokes. */
function routeTargetFunction(routeKey: string): string {
  const alias = apiTemplate.toJSON().Resources[routeTargetAlias(routeKey)];
  expect(alias).toMatchObject({ Type: 'AWS::Lambda::Alias', Properties: { Name: 'live' } });
  return alias.Properties.FunctionName.Ref;
}

describe('TwoFactorData stack', () => {
  it('keys the table by string pk and sk, billed per request', () => {
    dataTemplate.resourceCountIs('AWS::DynamoDB::Table', 1);
    dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('keeps point-in-time recovery on the dev table, which is destroyable with its stack', () => {
    dataTemplate.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: false,
      }),
      DeletionPolicy: 'Delete',
    });
  });

  it('lets DynamoDB delete items whose expiresAt (epoch seconds) has passed', () => {
    dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it("lists an app's users through the sparse gsi1, projecting only the user-list attributes", () => {
    dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ]),
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['userId', 'appId', 'email', 'role', 'createdAt', 'twoFactorEnabled'],
          },
        },
      ],
    });
  });

  it('streams new item images (the source of the security events)', () => {
    dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
  });

  it('keeps the event bus portals subscribe to, named after the stage', () => {
    dataTemplate.hasResourceProperties('AWS::Events::EventBus', { Name: 'two-factor-dev-security-events' });
  });

  it("keeps one symmetric secrets key with rotation under the stage's alias (destroyable on dev)", () => {
    dataTemplate.resourceCountIs('AWS::KMS::Key', 1);
    dataTemplate.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Delete',
    });
    dataTemplate.hasResourceProperties('AWS::KMS::Key', { KeySpec: Match.absent() });
    dataTemplate.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/two-factor-dev-secrets' });
  });

  it('is named after the stage and not termination-protected on dev', () => {
    expect(service.data.stackName).toBe('TwoFactor-dev-Data');
    expect(service.api.stackName).toBe('TwoFactor-dev-Api');
    expect(service.data.terminationProtection).toBe(false);
    expect(service.api.terminationProtection).toBe(false);
    expect(service.edge).toBeUndefined();
  });

  it('has the key policy deny every cryptographic use without exactly the appId encryption context key', () => {
    const cryptographic = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
    dataTemplate.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: cryptographic,
            Condition: { Null: { 'kms:EncryptionContextKeys': 'true' } },
          }),
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: cryptographic,
            Condition: { 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': ['appId'] } },
          }),
        ]),
      },
    });
  });
});

describe('TwoFactorApi stack', () => {
  describe('HTTP API', () => {
    it('has one route per HTTP step and the $default route, nothing else', () => {
      apiTemplate.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      apiTemplate.resourceCountIs('AWS::ApiGatewayV2::Route', httpSteps.length + 1);
    });

    it.each(httpSteps)('routes $method $path to the $step function', ({ step, method, path }) => {
      expect(routeTargetFunction(`${method} ${path}`)).toBe(functionLogicalId(step));
    });

    it('routes every request no route matches ($default) to the not-found function', () => {
      expect(routeTargetFunction('$default')).toBe(functionLogicalId(notFoundStep.step));
    });

    it('invokes the functions with payload format 2.0', () => {
      const integrations = Object.values(apiTemplate.findResources('AWS::ApiGatewayV2::Integration'));
      expect(integrations).toHaveLength(httpSteps.length + 1);
      for (const integration of integrations) {
        expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      }
    });

    it('invokes each function through its live alias', () => {
      for (const { method, path } of httpSteps) {
        expect(apiTemplate.toJSON().Resources[routeTargetAlias(`${method} ${path}`)].Type).toBe('AWS::Lambda::Alias');
      }
    });

    it('keeps the execute-api endpoint open when no custom domain is in front (dev)', () => {
      apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'two-factor-dev-api', DisableExecuteApiEndpoint: false });
    });

    it('throttles signup, login and login/verify tighter than the stage default', () => {
      const stage = Object.values(apiTemplate.findResources('AWS::ApiGatewayV2::Stage'))[0]!.Properties;
      const defaults = stage.DefaultRouteSettings;
      const tightened = Object.entries(
        stage.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>,
      );
      expect(tightened.map(([routeKey]) => routeKey).sort()).toEqual(
        httpSteps
          .filter(({ step }) => ['signup', 'login', 'login-verify'].includes(step))
          .map(({ method, path }) => `${method} ${path}`)
          .sort(),
      );
      for (const [, settings] of tightened) {
        expect(settings.ThrottlingRateLimit).toBeLessThan(defaults.ThrottlingRateLimit);
        expect(settings.ThrottlingBurstLimit).toBeLessThan(defaults.ThrottlingBurstLimit);
      }
      expect(stage.RouteSettings['POST /v1/apps/{appId}/signup']).toMatchObject({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    });

    it('throttles the auto-deployed $default stage and writes its access log to a log group', () => {
      apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100, DetailedMetricsEnabled: true },
        AccessLogSettings: {
          DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AccessLogs'), 'Arn'] },
          Format: Match.stringLikeRegexp('\\$context\\.requestId'),
        },
      });
    });
  });

  describe('functions', () => {
    it('builds one function per step, the event publisher, the notifier (test/infra/notifier.test.ts) and the enrollment-deadline reminders', () => {
      apiTemplate.resourceCountIs('AWS::Lambda::Function', allSteps.length + 3);
    });

    it('runs the enrollment-deadline reminders every 12 hours on EventBridge Scheduler', () => {
      apiTemplate.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(12 hours)' });
    });

    it('gives the reminders, a batch, 5 minutes per run, and every request step its 10 s', () => {
      expect(functionProperties(enforcementRemindersStep.step).Timeout).toBe(300);
      expect(new Set(httpSteps.map(({ step }) => functionProperties(step).Timeout))).toEqual(new Set([10]));
    });

    describe.each(allSteps)('the $step function', ({ step, access }) => {
      it(`runs the bundled handler on Node.js 24, arm64, ${memorySizeOf(step)} MB, 10 s`, () => {
        expect(functionProperties(step)).toMatchObject({
          Handler: 'index.handler',
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          MemorySize: memorySizeOf(step),
          Timeout: 10,
        });
      });

      it('is traced with X-Ray (active tracing)', () => {
        expect(functionProperties(step).TracingConfig).toEqual({ Mode: 'Active' });
      });

      it('logs to its own log group, kept for a month', () => {
        const logGroupLogicalId = functionProperties(step).LoggingConfig.LogGroup.Ref;
        expect(apiTemplate.toJSON().Resources[logGroupLogicalId]).toMatchObject({
          Type: 'AWS::Logs::LogGroup',
          Properties: { RetentionInDays: 30 },
        });
      });

      it(`gets the table name, ${access.kms === 'none' ? 'no' : 'the'} key ARN and the Powertools service name`, () => {
        const variables = functionProperties(step).Environment.Variables;
        expect(variables).toMatchObject({
          // The table's name (Ref), imported from the data stack.
          [functionEnvironment.tableName]: { 'Fn::ImportValue': expect.stringContaining('ExportsOutputRefTable') },
          POWERTOOLS_SERVICE_NAME: 'two-factor',
        });
        // Source maps would be read and parsed at every cold start (docs/runtime-and-bundles.md).
        expect(variables).not.toHaveProperty('NODE_OPTIONS');
        if (access.kms === 'none') {
          expect(variables).not.toHaveProperty(functionEnvironment.kmsKeyId);
        } else {
          // The key's ARN (GetAtt Arn), imported from the data stack.
          expect(variables[functionEnvironment.kmsKeyId]).toEqual({
            'Fn::ImportValue': expect.stringMatching(/ExportsOutputFnGetAttSecretsKey\w*Arn/),
          });
        }
      });

      it(`is granted exactly the table actions it declares (${access.table.join(', ') || 'none'})`, () => {
        expect(actionsWithPrefix(step, 'dynamodb:')).toEqual(expectedTableActions(access));
      });

      it(`is granted exactly the KMS actions of "${access.kms}" access, only under the appId encryption context`, () => {
        expect(actionsWithPrefix(step, 'kms:')).toEqual(expectedKmsActions[access.kms]);
        for (const statement of roleStatements(step).filter((candidate) =>
          [candidate.Action].flat().some((action) => action.startsWith('kms:')),
        )) {
          expect(statement.Condition).toEqual({
            'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['appId'] },
            Null: { 'kms:EncryptionContextKeys': 'false' },
          });
        }
      });

      it('may write only to its own logs and its traces besides that', () => {
        const others = roleActions(step).filter((action) => !/^(dynamodb|kms):/.test(action));
        expect(others).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', ...tracingActions]);
      });

      it('is bundled as one CommonJS file, with its source map beside it', () => {
        const assetHash = String(functionProperties(step).Code.S3Key).replace(/\.zip$/, '');
        const bundle = join(app.outdir, `asset.${assetHash}`, 'index.js');
        expect(existsSync(bundle)).toBe(true);
        expect(readFileSync(bundle, 'utf8')).toMatch(/^"use strict";/);
        expect(existsSync(`${bundle}.map`)).toBe(true);
      });
    });

    it('gives a full vCPU (1,769 MB) to the steps that hash passwords or backup-code sets, and less to the rest', () => {
      const memoryOf = (step: string) => functionProperties(step).MemorySize as number;
      for (const step of ['signup', 'login', 'create-app', 'enrollment-confirm', 'backup-codes']) expect(memoryOf(step)).toBe(1769);
      for (const step of ['login-verify', 'me', 'step-up']) expect(memoryOf(step)).toBe(512);
      for (const step of ['health', notFoundStep.step, 'openapi']) expect(memoryOf(step)).toBe(256);
      expect(Math.max(...[...allSteps, eventsStep].map(({ step }) => memoryOf(step)))).toBe(1769);
    });

    it('grants the me function only GetItem on the table', () => {
      expect(actionsWithPrefix('me', 'dynamodb:')).toEqual(['dynamodb:GetItem']);
    });

    it('lets no role Scan or BatchWriteItem, and only the sign-in steps and the user listings BatchGetItem', () => {
      const roles = [...allSteps, eventsStep, enforcementRemindersStep].map(({ step }) => ({ step, actions: roleActions(step) }));
      expect(roles.filter(({ actions }) => actions.includes('dynamodb:Scan') || actions.includes('dynamodb:BatchWriteItem'))).toEqual([]);
      expect(roles.filter(({ actions }) => actions.includes('dynamodb:BatchGetItem')).map(({ step }) => step)).toEqual([
        'login',
        'login-verify',
        'users-list',
        'users-csv',
      ]);
    });

    it('grants Query on the users index, and on no other index, to the user listings and the deadline reminders alone', () => {
      const indexStatements = [...allSteps, eventsStep, enforcementRemindersStep].flatMap(({ step }) =>
        roleStatements(step)
          .filter((statement) => JSON.stringify(statement.Resource).includes('/index/'))
          .map((statement) => ({ step, statement })),
      );
      expect(indexStatements.map(({ step }) => step)).toEqual(['users-list', 'users-csv', 'enforcement-reminders']);
      for (const { statement } of indexStatements) {
        expect(statement.Action).toBe('dynamodb:Query');
        expect(JSON.stringify(statement.Resource)).toContain('/index/gsi1');
      }
    });

    it('grants the health and not-found functions no table and no key access', () => {
      for (const step of ['health', notFoundStep.step]) {
        expect(roleActions(step).filter((action) => /^(dynamodb|kms):/.test(action))).toEqual([]);
      }
    });

    it('lets only create-app generate data keys', () => {
      const generators = allSteps.filter(({ step }) => roleActions(step).includes('kms:GenerateDataKey'));
      expect(generators.map(({ step }) => step)).toEqual(['create-app']);
    });

    it('grants nothing on every resource ("*") but the stream listing and X-Ray, and no wildcard action', () => {
      const statements = Object.values(apiTemplate.findResources('AWS::IAM::Policy')).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[],
      );
      for (const statement of statements) {
        // dynamodb:ListStreams (the event publisher's stream source) and X-Ray's actions have no resource-level permissions.
        if ([statement.Resource].flat().includes('*')) {
          for (const action of [statement.Action].flat()) expect(['dynamodb:ListStreams', ...tracingActions]).toContain(action);
        }
        for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
      }
    });

    it('reserves no concurrency on dev (a new account may have a quota of 10)', () => {
      for (const { step } of allSteps) expect(functionProperties(step).ReservedConcurrentExecutions).toBeUndefined();
    });
  });

  describe('the event publisher', () => {
    it('reads the table and its stream, puts events on the security event bus, and dead-letters to its queue', () => {
      const actions = roleActions(eventsStep.step);
      expect(actions.filter((action) => !/^(dynamodb|logs|xray):/.test(action))).toEqual([
        'events:PutEvents',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ]);
      expect(actionsWithPrefix(eventsStep.step, 'dynamodb:')).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:GetRecords', 'dynamodb:ListStreams']),
      );
      for (const write of tableWriteActions) expect(actions).not.toContain(write);
      expect(actions.filter((action) => action.startsWith('kms:'))).toEqual([]);
      expect(functionProperties(eventsStep.step).Environment.Variables[functionEnvironment.eventBusName]).toEqual({
        'Fn::ImportValue': expect.stringContaining('SecurityEvents'),
      });
      expect(functionProperties(eventsStep.step).Environment.Variables[functionEnvironment.deadLetterQueueUrl]).toEqual({
        'Fn::ImportValue': expect.stringContaining('UnpublishedEvents'),
      });
    });

    it('keeps refused events in the data stack: an encrypted queue, TLS only, 14 days, deleted with dev data (retained on other stages)', () => {
      const queues = dataTemplate.findResources('AWS::SQS::Queue');
      expect(Object.keys(queues)).toEqual([expect.stringMatching(/^UnpublishedEvents/)]);
      const [queueId, queue] = Object.entries(queues)[0]!;
      expect(queue).toMatchObject({
        Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 },
        // As the dev table and key are: every stage but dev retains its data (stages.test.ts).
        DeletionPolicy: 'Delete',
      });
      dataTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
      // The API stack keeps only the notifier's own dead-letter queue (test/infra/notifier.test.ts), not this one.
      expect(Object.keys(apiTemplate.findResources('AWS::SQS::Queue'))).toEqual([expect.stringMatching(/^SecurityEmailsUnsentEmails/)]);
    });

    it('takes only new audit entries from the stream, retries from the first failed one, then dead-letters', () => {
      const mappings = Object.values(apiTemplate.findResources('AWS::Lambda::EventSourceMapping'));
      expect(mappings).toHaveLength(1);
      const properties = mappings[0]!.Properties;
      expect(properties).toMatchObject({
        FunctionName: { Ref: functionLogicalId(eventsStep.step) },
        StartingPosition: 'TRIM_HORIZON',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: { 'Fn::ImportValue': expect.stringContaining('UnpublishedEvents') } } },
      });
      expect(JSON.parse(properties.FilterCriteria.Filters[0].Pattern)).toEqual({
        eventName: ['INSERT'],
        dynamodb: { NewImage: { pk: { S: [{ prefix: 'AUDIT#' }] } } },
      });
    });

    it('outputs the event bus name', () => {
      apiTemplate.hasOutput('EventBusName', { Value: { 'Fn::ImportValue': Match.stringLikeRegexp('SecurityEvents') } });
    });
  });

  describe('platform functions', () => {
    it.each(platformSteps)('lets no route reach $functionName ($step), and publishes no alias of it', ({ step }) => {
      const fnLogicalId = functionLogicalId(step);
      const integrations = apiTemplate.findResources('AWS::ApiGatewayV2::Integration', {
        Properties: { IntegrationUri: { 'Fn::GetAtt': [fnLogicalId, 'Arn'] } },
      });
      expect(integrations).toEqual({});
      const permissions = apiTemplate.findResources('AWS::Lambda::Permission', {
        Properties: { FunctionName: { 'Fn::GetAtt': [fnLogicalId, 'Arn'] } },
      });
      expect(permissions).toEqual({});
      expect(apiTemplate.findResources('AWS::Lambda::Alias', { Properties: { FunctionName: { Ref: fnLogicalId } } })).toEqual({});
    });

    it.each(platformSteps)('outputs the $functionName function name', ({ step, functionName }) => {
      const outputId = `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}FunctionName`;
      apiTemplate.hasOutput(outputId, { Value: { Ref: functionLogicalId(step) } });
    });
  });

  it('outputs the API URL, the table name, the key ARN and the alarm topic', () => {
    apiTemplate.hasOutput('ApiUrl', { Value: Match.anyValue() });
    apiTemplate.hasOutput('TableName', { Value: { 'Fn::ImportValue': Match.stringLikeRegexp('Table') } });
    apiTemplate.hasOutput('KmsKeyArn', { Value: { 'Fn::ImportValue': Match.stringLikeRegexp('SecretsKey') } });
  });
});

describe('safe deploys', () => {
  /** The HTTP steps and the not-found step: every function a route invokes. */
  const routedSteps = [...httpSteps, notFoundStep];

  it.each(routedSteps)('publishes the $step function as a version behind the live alias', ({ step }) => {
    const aliases = Object.values(
      apiTemplate.findResources('AWS::Lambda::Alias', { Properties: { FunctionName: { Ref: functionLogicalId(step) } } }),
    );
    expect(aliases).toHaveLength(1);
    const versionLogicalId = aliases[0]!.Properties.FunctionVersion['Fn::GetAtt'][0];
    expect(apiTemplate.toJSON().Resources[versionLogicalId]).toMatchObject({
      Type: 'AWS::Lambda::Version',
      Properties: { FunctionName: { Ref: functionLogicalId(step) } },
    });
  });

  it.each(routedSteps)(
    'shifts the $step alias with CodeDeploy, all at once on dev, rolled back on its route and function fault alarms',
    ({ step }) => {
      const alias = Object.values(
        apiTemplate.findResources('AWS::Lambda::Alias', { Properties: { FunctionName: { Ref: functionLogicalId(step) } } }),
      )[0]!;
      const groupLogicalId = alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName.Ref;
      const group = apiTemplate.toJSON().Resources[groupLogicalId];
      expect(group.Properties).toMatchObject({
        DeploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
        AutoRollbackConfiguration: { Enabled: true, Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']) },
        AlarmConfiguration: { Enabled: true },
      });
      const alarmNames = (group.Properties.AlarmConfiguration.Alarms as { Name: { Ref: string } }[]).map(
        ({ Name }) => apiTemplate.toJSON().Resources[Name.Ref].Properties.AlarmName as string,
      );
      const expected = [`TwoFactor-dev-Function-${step}-Fault-Count-Critical`];
      if (step !== notFoundStep.step) expected.push(`TwoFactor-dev-Route-${step}-Fault-Rate-Critical`);
      expect(alarmNames.sort()).toEqual(expected.sort());
    },
  );

  it('gives the platform functions and the event publisher no deployment group (nothing routes to them)', () => {
    apiTemplate.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', routedSteps.length);
  });
});

describe('alarms and dashboard', () => {
  type Alarm = { Properties: Record<string, any> };
  const alarms = (): Alarm[] => Object.values(apiTemplate.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
  const alarmNamed = (name: string): Alarm => {
    const found = alarms().filter((alarm) => alarm.Properties.AlarmName === name);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  interface AlarmMetric {
    Namespace: string;
    MetricName: string;
    Dimensions?: { Name: string; Value: unknown }[];
    Stat: string;
    Period: number;
  }
  /** The metrics an alarm reads, whether it reads one metric or metric math. */
  const metricsOf = (alarm: Alarm): AlarmMetric[] =>
    alarm.Properties.Metrics
      ? alarm.Properties.Metrics.filter((query: any) => query.MetricStat).map((query: any) => ({
          ...query.MetricStat.Metric,
          Stat: query.MetricStat.Stat,
          Period: query.MetricStat.Period,
        }))
      : [{ ...alarm.Properties, Stat: alarm.Properties.ExtendedStatistic ?? alarm.Properties.Statistic } as AlarmMetric];

  it('notifies one SNS topic, encrypted under a customer managed key and accepting only TLS', () => {
    apiTemplate.resourceCountIs('AWS::SNS::Topic', 1);
    const topicLogicalId = Object.keys(apiTemplate.findResources('AWS::SNS::Topic'))[0]!;
    apiTemplate.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlarmTopicKey'), 'Arn'] },
    });
    apiTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: { Ref: topicLogicalId } }),
        ]),
      },
    });
    // CloudWatch may use the key, or it could not publish to the encrypted topic.
    apiTemplate.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: Match.arrayWith(['kms:Decrypt']) }),
        ]),
      },
    });
    for (const alarm of alarms()) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicLogicalId }]);
    apiTemplate.hasOutput('AlarmTopicArn', { Value: { Ref: topicLogicalId } });
  });

  it.each(httpSteps)('alarms on the 5xx rate and p99 latency of $method $path', ({ step, method, path }) => {
    const routeDimensions = expect.arrayContaining([
      { Name: 'Method', Value: method },
      { Name: 'Resource', Value: path },
      { Name: 'Stage', Value: '$default' },
    ]);
    const faultRate = alarmNamed(`TwoFactor-dev-Route-${step}-Fault-Rate-Critical`);
    // The average of the 5xx metric is the share of answers that were 5xx.
    expect(metricsOf(faultRate)).toEqual([
      { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: routeDimensions, Stat: 'Average', Period: 60 },
    ]);
    expect(faultRate.Properties).toMatchObject({
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
    });
    const latency = alarmNamed(`TwoFactor-dev-Route-${step}-Latency-P99-Warning`);
    expect(metricsOf(latency)).toEqual([
      { Namespace: 'AWS/ApiGateway', MetricName: 'Latency', Dimensions: routeDimensions, Stat: 'p99', Period: 60 },
    ]);
    expect(latency.Properties.Threshold).toBe(3000);
  });

  it.each([...allSteps, eventsStep])('alarms on the errors and throttles of the $step function', ({ step }) => {
    const functionDimension = [{ Name: 'FunctionName', Value: { Ref: functionLogicalId(step) } }];
    expect(metricsOf(alarmNamed(`TwoFactor-dev-Function-${step}-Fault-Count-Critical`))).toEqual([
      expect.objectContaining({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: functionDimension }),
    ]);
    expect(metricsOf(alarmNamed(`TwoFactor-dev-Function-${step}-Throttled-Count-Critical`))).toEqual([
      expect.objectContaining({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: functionDimension }),
    ]);
  });

  it('alarms on DynamoDB read and write throttles and system errors of the table', () => {
    for (const name of ['Read-Throttled-Events', 'Write-Throttled-Events', 'SystemError-Count']) {
      const metrics = metricsOf(alarmNamed(`TwoFactor-dev-Table-${name}-Critical`));
      expect(metrics.length).toBeGreaterThan(0);
      for (const metric of metrics) {
        expect(metric.Namespace).toBe('AWS/DynamoDB');
        expect(metric.Dimensions).toContainEqual({ Name: 'TableName', Value: { 'Fn::ImportValue': expect.stringContaining('Table') } });
      }
    }
  });

  it('counts the KMS errors every step that calls KMS logs, and alarms on any', () => {
    const kmsSteps = [...allSteps, eventsStep].filter(({ access }) => access.kms !== 'none');
    const filters = Object.values(apiTemplate.findResources('AWS::Logs::MetricFilter'));
    expect(filters.map((filter) => filter.Properties.LogGroupName.Ref).sort()).toEqual(
      kmsSteps.map(({ step }) => functionProperties(step).LoggingConfig.LogGroup.Ref).sort(),
    );
    for (const filter of filters) {
      expect(filter.Properties.FilterPattern).toContain('$.errorName = "KMS*"');
      expect(filter.Properties.MetricTransformations).toEqual([
        { MetricNamespace: 'TwoFactor', MetricName: 'KmsErrors', MetricValue: '1', Dimensions: [{ Key: 'service', Value: '$.service' }] },
      ]);
    }
    const kmsErrors = alarmNamed('TwoFactor-dev-Security-KmsErrors-Critical');
    expect(metricsOf(kmsErrors)).toEqual([
      { Namespace: 'TwoFactor', MetricName: 'KmsErrors', Dimensions: [{ Name: 'service', Value: 'two-factor' }], Stat: 'Sum', Period: 60 },
    ]);
    expect(kmsErrors.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it("alarms when the event publisher falls behind the table's stream and when events are dead-lettered", () => {
    const iteratorAge = alarmNamed('TwoFactor-dev-Function-publish-events-Iterator-Age-Max-Critical');
    expect(metricsOf(iteratorAge)).toEqual([
      {
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionLogicalId(eventsStep.step) } }],
        Stat: 'Maximum',
        Period: 60,
      },
    ]);
    expect(iteratorAge.Properties.Threshold).toBe(300_000);
    const deadLetters = alarmNamed('TwoFactor-dev-UnpublishedEvents-Queue-Message-Count-Max-Critical');
    expect(metricsOf(deadLetters)).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/SQS',
        // The queue lives in the data stack, so the API stack's alarm names it through the data stack's export.
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::ImportValue': expect.stringContaining('UnpublishedEvents') } }],
      }),
    );
    expect(deadLetters.Properties.Threshold).toBe(0);
  });

  it("alarms on a spike of lockouts (the handlers' Lockouts metric, namespace TwoFactor, service two-factor)", () => {
    const lockouts = alarmNamed('TwoFactor-dev-Security-Lockouts-Warning');
    expect(metricsOf(lockouts)).toEqual([
      { Namespace: 'TwoFactor', MetricName: 'Lockouts', Dimensions: [{ Name: 'service', Value: 'two-factor' }], Stat: 'Sum', Period: 300 },
    ]);
    expect(lockouts.Properties).toMatchObject({ Threshold: 50, EvaluationPeriods: 1, DatapointsToAlarm: 1 });
  });

  it('shows the sign-in funnel first on the dashboard: login requests, sign-ins, second-factor successes and failures', () => {
    const dashboards = Object.values(apiTemplate.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties.DashboardName).toBe('TwoFactor-dev');
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    const funnelAt = body.indexOf('Sign-in funnel');
    expect(funnelAt).toBeGreaterThan(-1);
    const funnel = body.slice(funnelAt);
    const order = ['POST', '/v1/apps/{appId}/login', 'SignIns', 'SecondFactorSuccesses', 'SecondFactorFailures'].map((needle) =>
      funnel.indexOf(needle),
    );
    for (const position of order) expect(position).toBeGreaterThan(-1);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe('tags', () => {
  it('tags every taggable resource of both stacks with the service and the stage', () => {
    for (const template of [dataTemplate, apiTemplate]) {
      const resources = Object.values(template.toJSON().Resources as Record<string, { Properties?: { Tags?: unknown } }>);
      const tagged = resources.filter((resource) => resource.Properties?.Tags !== undefined);
      expect(tagged.length).toBeGreaterThan(2);
      for (const { Properties } of tagged) {
        const tags = Properties!.Tags;
        // Most resources list tags; a few (HTTP API, SSM-like) take a map.
        const asMap = Array.isArray(tags)
          ? Object.fromEntries((tags as { Key: string; Value: string }[]).map(({ Key, Value }) => [Key, Value]))
          : (tags as Record<string, string>);
        expect(asMap).toMatchObject({ service: 'two-factor', stage: 'dev' });
      }
    }
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::Events::EventBus']) {
      dataTemplate.hasResourceProperties(type, { Tags: Match.arrayWith([{ Key: 'stage', Value: 'dev' }]) });
    }
    for (const type of ['AWS::Lambda::Function', 'AWS::CloudWatch::Alarm', 'AWS::SNS::Topic', 'AWS::Logs::LogGroup', 'AWS::SQS::Queue']) {
      for (const resource of Object.values(apiTemplate.findResources(type))) {
        expect(resource.Properties.Tags).toEqual(
          expect.arrayContaining([
            { Key: 'service', Value: 'two-factor' },
            { Key: 'stage', Value: 'dev' },
          ]),
        );
      }
    }
  });
});

describe('cdk-nag AWS Solutions and Serverless checks', () => {
  it.each([
    ['AWS Solutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s: report no finding that is not acknowledged with a reason', (_pack, checks) => {
    const report = checks().validateScope(app);
    const findings = report.violations.map(
      (violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('leave no error annotation on either stack', () => {
    for (const stack of [service.data, service.api]) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });
});

describe('the function bundles', () => {
  /** The staged asset of `step`'s function: what Lambda would unzip and load. */
  function bundleOf(step: string): string {
    const fn = apiTemplate.toJSON().Resources[functionLogicalId(step)] as { Properties: { Code: { S3Key: string }; Handler: string } };
    expect(fn.Properties.Handler).toBe('index.handler');
    const directory = join(app.outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    const bundle = join(directory, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    return bundle;
  }

  /**
   * Strings only the AWS SDK's code holds: any of it, any of its clients (their user agent), the KMS and DynamoDB
   * API names (the lean client's too), an STS call of its default credential chain.
   */
  const sdkMarkers = {
    anyOfIt: 'smithy',
    anyClient: 'aws-sdk-js',
    kms: 'TrentService',
    dynamoDb: 'DynamoDB_20120810',
    credentialChain: 'AssumeRoleWithWebIdentity',
  };

  it.each([
    ['health', 200, { status: 'ok' }],
    ['not-found', 404, { error: { code: 'not_found', message: 'The route was not found.' } }],
    ['openapi', 200, JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'))],
  ])('load under Node and answer: %s', async (step, status, body) => {
    const { handler } = createRequire(import.meta.url)(bundleOf(step)) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string; headers: Record<string, string> }>;
    };

    const response = await handler(
      { version: '2.0', rawPath: '/v1/x', headers: {}, isBase64Encoded: false, requestContext: { http: { method: 'GET' } } },
      { getRemainingTimeInMillis: () => 5000 },
    );

    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toEqual(body);
    expect(response.headers['strict-transport-security'] ?? response.headers['Strict-Transport-Security']).toMatch(/max-age=/);
  });

  it.each(['health', notFoundStep.step, 'openapi'])('carry no AWS SDK where the step reaches no AWS service: %s', (step) => {
    expect(readFileSync(bundleOf(step), 'utf8')).not.toContain(sdkMarkers.anyOfIt);
  });

  it.each([...allSteps, eventsStep])(
    'carry an AWS SDK client only where the step talks to a service other than DynamoDB and KMS (the lean client speaks to those): $step',
    ({ step }) => {
      expect(readFileSync(bundleOf(step), 'utf8').includes(sdkMarkers.anyClient)).toBe(step === eventsStep.step);
    },
  );

  it.each([...allSteps, eventsStep])('carry the KMS client only where the step is granted the key: $step', ({ step, access }) => {
    const bundle = readFileSync(bundleOf(step), 'utf8');
    expect(bundle.includes(sdkMarkers.kms)).toBe(access.kms !== 'none');
    expect(bundle.includes(sdkMarkers.dynamoDb)).toBe(access.table.length > 0);
  });

  it.each([...allSteps, eventsStep])("carry none of the SDK's credential sources but Lambda's environment: $step", ({ step }) => {
    expect(readFileSync(bundleOf(step), 'utf8')).not.toContain(sdkMarkers.credentialChain);
  });

  /** Strings only each deferred package's code holds: the X-Ray SDK the Tracer wraps, hash-wasm's WebAssembly (base64 of `\0asm`). */
  const deferredMarkers: Record<(typeof deferredModules)[number], string> = {
    '@aws-lambda-powertools/tracer': 'AWSXRay',
    'hash-wasm': 'AGFzbQ',
  };

  it.each([...allSteps, eventsStep])(
    'leave the packages loaded only on some invocations out of index.js, bundled beside it where import() finds them: $step',
    ({ step }) => {
      const bundle = readFileSync(bundleOf(step), 'utf8');
      for (const name of deferredModules) {
        const beside = join(dirname(bundleOf(step)), 'node_modules', name, 'index.js');
        expect([name, bundle.includes(deferredMarkers[name])]).toEqual([name, false]);
        expect([name, existsSync(beside)]).toEqual([name, bundle.includes(`import("${name}")`)]);
        if (existsSync(beside)) expect(readFileSync(beside, 'utf8')).toContain(deferredMarkers[name]);
      }
    },
  );

  it('has each deferred package answer import() with its named exports', async () => {
    const dir = dirname(bundleOf('login-verify'));
    const tracer = (await import(pathToFileURL(join(dir, 'node_modules/@aws-lambda-powertools/tracer/index.js')).href)) as Record<
      string,
      unknown
    >;
    const hashWasm = (await import(pathToFileURL(join(dir, 'node_modules/hash-wasm/index.js')).href)) as Record<string, unknown>;

    expect([typeof tracer.Tracer, typeof hashWasm.argon2id, typeof hashWasm.argon2Verify]).toEqual(['function', 'function', 'function']);
  });
});

describe("Lambda's native Argon2", () => {
  /** The staged asset directory of `step`'s function. */
  function assetOf(step: string): string {
    const fn = apiTemplate.toJSON().Resources[functionLogicalId(step)] as { Properties: { Code: { S3Key: string } } };
    return join(app.outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
  }

  it.each([...allSteps, eventsStep])(
    'is carried by a bundle exactly when the bundle hashes, as a linux-arm64 binary: $step',
    ({ step }) => {
      const hashes = readFileSync(join(assetOf(step), 'index.js'), 'utf8').includes('NAPI_RS_NATIVE_LIBRARY_PATH');
      const binary = join(assetOf(step), nativeArgon2FileName);

      expect(existsSync(binary)).toBe(hashes);
      if (hashes) {
        const header = readFileSync(binary).subarray(0, 20);
        // ELF, 64-bit, little-endian; e_machine 183 is AArch64
        expect([...header.subarray(0, 5)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 2]);
        expect(header.readUInt16LE(18)).toBe(183);
        expect(functionProperties(step).Environment.Variables).toMatchObject(nativeArgon2Environment);
      }
    },
  );

  it.each(['signup', 'login', 'login-verify', 'step-up', 'backup-codes', 'enrollment-confirm', 'create-app'])(
    'is carried by the steps that hash passwords or backup codes: %s',
    (step) => {
      expect(existsSync(join(assetOf(step), nativeArgon2FileName))).toBe(true);
    },
  );

  it('is the version the bundled loader expects', () => {
    const locked = (path: string, name: string) =>
      (JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { packages: Record<string, { version?: string }> }).packages[
        `node_modules/${name}`
      ]?.version;

    expect(locked('../../lambda-native/package-lock.json', '@node-rs/argon2-linux-arm64-gnu')).toBe(
      locked('../../package-lock.json', '@node-rs/argon2'),
    );
  });
});
