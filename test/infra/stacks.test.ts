/**
 * Specification of the deployed infrastructure: what `cdk synth` produces for the two stacks.
 *
 * The app is synthesized once (bundling ~20 functions takes a while) with the context of
 * cdk.json, so these assertions hold for exactly what the CLI would deploy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StepAccess } from '../../functions/routes.js';
import { eventsStep, functionEnvironment, httpSteps, notFoundStep, platformSteps } from '../../functions/routes.js';
import type { TwoFactorService } from '../../lib/two-factor-app.js';
import { memorySizeOf } from '../../lib/memory-sizes.js';
import { addTwoFactorService } from '../../lib/two-factor-app.js';
import { nativeArgon2Environment, nativeArgon2FileName } from '../../lib/native-argon2.js';

/** Bundling every function with esbuild takes tens of seconds. */
const synthTimeoutMs = 240_000;

/** The actions `Table.grantReadData` grants; `grantReadWriteData` adds {@link tableWriteActions}. */
const tableReadActions = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const tableWriteActions = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

const expectedTableActions: Record<StepAccess['table'], string[]> = {
  none: [],
  read: tableReadActions,
  readWrite: [...tableReadActions, ...tableWriteActions],
};
const expectedKmsActions: Record<StepAccess['kms'], string[]> = {
  none: [],
  decrypt: ['kms:Decrypt'],
  generateDataKey: ['kms:GenerateDataKey'],
};

/** Every function that answers a request: HTTP steps, the not-found step and the platform steps (the event publisher aside). */
const allSteps: { step: string; access: StepAccess }[] = [...httpSteps, notFoundStep, ...platformSteps];

interface PolicyStatement {
  Action: string | string[];
  Resource: unknown;
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

/** Every action the policies attached to the step function's role allow, sorted. */
function roleActions(step: string): string[] {
  const roleLogicalId = functionProperties(step).Role['Fn::GetAtt'][0];
  const policies = apiTemplate.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleLogicalId }]) },
  });
  return Object.values(policies)
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[])
    .flatMap((statement) => [statement.Action].flat())
    .sort();
}

function actionsWithPrefix(step: string, prefix: string): string[] {
  return roleActions(step).filter((action) => action.startsWith(prefix));
}

/** Logical id of the function the integration of `routeKey` invokes. */
function routeTargetFunction(routeKey: string): string {
  const routes = Object.values(apiTemplate.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }));
  expect(routes).toHaveLength(1);
  const target: unknown = routes[0]?.Properties.Target;
  // Target is `integrations/<integration id>`: Fn::Join ['', ['integrations/', { Ref: <integration> }]].
  const integrationLogicalId = (target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1].Ref;
  const integration = apiTemplate.toJSON().Resources[integrationLogicalId];
  return integration.Properties.IntegrationUri['Fn::GetAtt'][0];
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

  it('protects the table: point-in-time recovery, deletion protection, retained on stack deletion', () => {
    dataTemplate.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
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

  it('keeps the event bus portals subscribe to', () => {
    dataTemplate.hasResourceProperties('AWS::Events::EventBus', { Name: 'two-factor-security-events' });
  });

  it('keeps one symmetric secrets key with rotation, retained on stack deletion, under its alias', () => {
    dataTemplate.resourceCountIs('AWS::KMS::Key', 1);
    dataTemplate.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
    });
    dataTemplate.hasResourceProperties('AWS::KMS::Key', { KeySpec: Match.absent() });
    dataTemplate.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/two-factor-secrets' });
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

    it('throttles the auto-deployed $default stage and writes its access log to a log group', () => {
      apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
        AccessLogSettings: {
          DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AccessLogs'), 'Arn'] },
          Format: Match.stringLikeRegexp('\\$context\\.requestId'),
        },
      });
    });
  });

  describe('functions', () => {
    it('builds one function per step, the event publisher and the enrollment-deadline reminders', () => {
      apiTemplate.resourceCountIs('AWS::Lambda::Function', allSteps.length + 2);
    });

    it('runs the enrollment-deadline reminders every 12 hours on EventBridge Scheduler', () => {
      apiTemplate.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(12 hours)' });
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

      it(`is granted exactly the table actions of "${access.table}" access`, () => {
        expect(actionsWithPrefix(step, 'dynamodb:')).toEqual([...expectedTableActions[access.table]].sort());
      });

      it(`is granted exactly the KMS actions of "${access.kms}" access`, () => {
        expect(actionsWithPrefix(step, 'kms:')).toEqual(expectedKmsActions[access.kms]);
      });

      it('may write only to its own logs besides that', () => {
        const others = roleActions(step).filter((action) => !/^(dynamodb|kms):/.test(action));
        expect(others).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
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

    it('grants the me function read-only table access', () => {
      const actions = roleActions('me');
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      expect(actions).not.toContain('dynamodb:PutItem');
      expect(actions).not.toContain('dynamodb:UpdateItem');
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

    it('grants nothing on every resource ("*") but the stream listing, and no wildcard action', () => {
      const statements = Object.values(apiTemplate.findResources('AWS::IAM::Policy')).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[],
      );
      for (const statement of statements) {
        // dynamodb:ListStreams has no resource-level permissions (the event publisher's stream source).
        if ([statement.Resource].flat().includes('*')) expect(statement.Action).toBe('dynamodb:ListStreams');
        for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
      }
    });
  });

  describe('the event publisher', () => {
    it('reads the table and its stream, puts events on the security event bus, and dead-letters to its queue', () => {
      const actions = roleActions(eventsStep.step);
      expect(actions.filter((action) => !/^(dynamodb|logs):/.test(action))).toEqual([
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
    });

    it('takes only new audit entries from the stream, retries from the first failed one, then dead-letters', () => {
      const mappings = Object.values(apiTemplate.findResources('AWS::Lambda::EventSourceMapping'));
      expect(mappings).toHaveLength(1);
      const properties = mappings[0]!.Properties;
      expect(properties).toMatchObject({
        FunctionName: { Ref: functionLogicalId(eventsStep.step) },
        StartingPosition: 'TRIM_HORIZON',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^UnpublishedEvents/), 'Arn'] } } },
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
    it.each(platformSteps)('lets no route reach $functionName ($step)', ({ step }) => {
      const fnLogicalId = functionLogicalId(step);
      const integrations = apiTemplate.findResources('AWS::ApiGatewayV2::Integration', {
        Properties: { IntegrationUri: { 'Fn::GetAtt': [fnLogicalId, 'Arn'] } },
      });
      expect(integrations).toEqual({});
      const permissions = apiTemplate.findResources('AWS::Lambda::Permission', {
        Properties: { FunctionName: { 'Fn::GetAtt': [fnLogicalId, 'Arn'] } },
      });
      expect(permissions).toEqual({});
    });

    it.each(platformSteps)('outputs the $functionName function name', ({ step, functionName }) => {
      const outputId = `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}FunctionName`;
      apiTemplate.hasOutput(outputId, { Value: { Ref: functionLogicalId(step) } });
    });
  });

  it('outputs the API URL, the table name and the key ARN', () => {
    apiTemplate.hasOutput('ApiUrl', { Value: Match.anyValue() });
    apiTemplate.hasOutput('TableName', { Value: { 'Fn::ImportValue': Match.stringLikeRegexp('Table') } });
    apiTemplate.hasOutput('KmsKeyArn', { Value: { 'Fn::ImportValue': Match.stringLikeRegexp('SecretsKey') } });
  });
});

describe('cdk-nag AWS Solutions checks', () => {
  it('report no finding that is not acknowledged with a reason', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
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

  /** Strings only the AWS SDK's code holds: any of it, the KMS and DynamoDB API names, an STS call of its default credential chain. */
  const sdkMarkers = {
    anyOfIt: 'smithy',
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

  it.each([...allSteps, eventsStep])('carry the KMS client only where the step is granted the key: $step', ({ step, access }) => {
    const bundle = readFileSync(bundleOf(step), 'utf8');
    expect(bundle.includes(sdkMarkers.kms)).toBe(access.kms !== 'none');
    expect(bundle.includes(sdkMarkers.dynamoDb)).toBe(access.table !== 'none');
  });

  it.each([...allSteps, eventsStep])("carry none of the SDK's credential sources but Lambda's environment: $step", ({ step }) => {
    expect(readFileSync(bundleOf(step), 'utf8')).not.toContain(sdkMarkers.credentialChain);
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
