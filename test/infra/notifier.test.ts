/**
 * Specification of the security-email infrastructure (lib/notifier.ts): the notifier function, its rule on
 * the security-event bus, its grants, the SES identity and configuration set. The service is synthesized once,
 * with cdk.json's context but without bundling (`aws:cdk:bundling-stacks: []`): these assertions are about
 * resources and policies, and test/infra/stacks.test.ts already checks the bundles.
 */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { securityEmailEventTypes } from '../../functions/core/security-events.js';
import { functionEnvironment } from '../../functions/routes.js';
import { Notifier, defaultSenderAddress } from '../../lib/notifier.js';
import { addTwoFactorService } from '../../lib/two-factor-app.js';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
/** No stack is bundled: NodejsFunction then stages no code, and the synth takes seconds. */
const withoutBundling = { 'aws:cdk:bundling-stacks': [] };

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

let template: Template;
let apiStack: Stack;
let notifier: Notifier;

beforeAll(() => {
  const app = new App({
    context: { ...cdkJson.context, ...withoutBundling, '@aws-cdk/core:failSynthOnValidationErrors': false },
  });
  const service = addTwoFactorService(app);
  apiStack = service.api;
  const found = service.api.node.findChild('SecurityEmails');
  if (!(found instanceof Notifier)) throw new Error('the API stack has no Notifier named SecurityEmails');
  notifier = found;
  template = Template.fromStack(service.api);
}, 120_000);

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  return apiStack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Every statement of the policies attached to the notifier's role. */
function roleStatements(): Statement[] {
  const fn = template.toJSON().Resources[logicalId(notifier.function)];
  const roleLogicalId = fn.Properties.Role['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleLogicalId }]) } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('the security emails', () => {
  it('run the notifier handler with the sender and configuration set in its environment', () => {
    const fn = template.toJSON().Resources[logicalId(notifier.function)];

    expect(fn.Properties.Description).toMatch(/^notifier: /);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      [functionEnvironment.senderAddress]: defaultSenderAddress,
      [functionEnvironment.sesConfigurationSet]: { Ref: logicalId(notifier.configurationSet) },
      [functionEnvironment.tableName]: expect.anything(),
    });
    expect(fn.Properties.Environment.Variables[functionEnvironment.kmsKeyId]).toBeUndefined();
  });

  it('hand the notifier exactly the emailed event types of the security-event bus, retried, then dead-lettered', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));

    expect(rules).toHaveLength(1);
    const rule = rules[0]!.Properties;
    expect(rule.EventBusName).toEqual({ 'Fn::ImportValue': expect.stringMatching(/SecurityEvents/) });
    expect(rule.EventPattern).toEqual({ source: ['two-factor'], 'detail-type': [...securityEmailEventTypes] });
    expect(rule.EventPattern['detail-type']).toEqual(expect.arrayContaining(['two_factor.enforcement_deadline_approaching']));
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalId(notifier.function), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(notifier.deadLetters), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      }),
    ]);
  });

  it('retry a failed run twice, then keep the event in the encrypted dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(notifier.function) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(notifier.deadLetters), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('let the notifier read the table and write only NOTIFY# items, with PutItem alone', () => {
    const writes = roleStatements().filter((statement) =>
      actionsOf(statement).some((action) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(action)),
    );

    expect(writes).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:PutItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['NOTIFY#*'] } },
      }),
    ]);
    expect(roleStatements().flatMap(actionsOf)).toContain('dynamodb:GetItem');
    expect(roleStatements().flatMap(actionsOf)).not.toContain('dynamodb:Scan');
    expect(
      roleStatements()
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('kms:')),
    ).toEqual([]);
  });

  it('let the notifier send email from its identity, under its configuration set and From address only', () => {
    const ses = roleStatements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('ses:')));

    expect(ses).toHaveLength(1);
    expect(actionsOf(ses[0]!)).toEqual(['ses:SendEmail']);
    expect(JSON.stringify(ses[0]!.Resource)).toContain(':identity/');
    expect(JSON.stringify(ses[0]!.Resource)).toContain(':configuration-set/');
    expect(JSON.stringify(ses[0]!.Resource)).not.toContain('*');
    expect(ses[0]!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': defaultSenderAddress } });
  });

  it('declare the SES identity and a configuration set that suppresses bounces and complaints and reports them', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: defaultSenderAddress });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint', 'reject']),
        CloudWatchDestination: Match.anyValue(),
      }),
    });
    template.hasOutput('SecurityEmailSender', { Value: defaultSenderAddress });
  });

  it('pass cdk-nag: no error annotation on the API stack', () => {
    expect(Annotations.fromStack(apiStack).findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('the sender from the CDK context', () => {
  function notifierWith(context: Record<string, string>): Template {
    const app = new App({ context: { ...withoutBundling, ...context } });
    const stack = new Stack(app, 'Mail');
    const table = new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    new Notifier(stack, 'SecurityEmails', {
      table,
      secretsKey: new Key(stack, 'Key'),
      eventBus: new EventBus(stack, 'Bus'),
      logRemovalPolicy: RemovalPolicy.DESTROY,
    });
    return Template.fromStack(stack);
  }

  it('verifies a domain and sends as no-reply@ it with -c senderDomain=', () => {
    const mail = notifierWith({ senderDomain: 'mail.acme.test' });

    mail.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'mail.acme.test' });
    mail.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [functionEnvironment.senderAddress]: 'no-reply@mail.acme.test' }) },
    });
  });

  it('sends as -c senderAddress=, an address identity, or an address of the domain', () => {
    notifierWith({ senderAddress: 'security@acme.test' }).hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'security@acme.test',
    });
    notifierWith({ senderDomain: 'acme.test', senderAddress: 'security@acme.test' }).hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'acme.test',
    });
  });

  it('refuses an address outside the domain', () => {
    expect(() => notifierWith({ senderDomain: 'acme.test', senderAddress: 'security@evil.test' })).toThrow(
      /not an address of senderDomain/,
    );
  });
});
