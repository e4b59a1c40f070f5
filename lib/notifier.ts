import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import {
  CloudWatchDimensionSource,
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { securityEmailEventTypes, securityEventSource } from '../functions/core/security-events.js';
import { functionEnvironment, notifierStep } from '../functions/routes.js';
import { tableDesign } from '../functions/table-design.js';
import { StepFunction } from './step-function.js';

/** The sender when the app is given none: synthesizes offline; deploy with `-c senderDomain=` or `-c senderAddress=`. */
export const defaultSenderAddress = 'no-reply@example.com';

/** Where the security emails come from, from the CDK context: a verified domain, or a verified address. */
export interface Sender {
  /** `-c senderDomain=mail.example.org`: a domain identity (DKIM records to publish), sending as `no-reply@` it. */
  readonly domain: string | null;
  /** `-c senderAddress=security@example.org`: the From address (an address identity when no domain is given). */
  readonly address: string;
}

function contextString(scope: Construct, key: string): string | null {
  const value: unknown = scope.node.tryGetContext(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The sender the context asks for; an address outside the given domain is refused at synth. */
function senderOf(scope: Construct): Sender {
  const domain = contextString(scope, 'senderDomain');
  const address = contextString(scope, 'senderAddress') ?? (domain ? `no-reply@${domain}` : defaultSenderAddress);
  if (domain && !address.toLowerCase().endsWith(`@${domain.toLowerCase()}`))
    throw new Error(`senderAddress ${address} is not an address of senderDomain ${domain}`);
  return { domain, address };
}

export interface NotifierProps {
  readonly table: ITable;
  readonly secretsKey: IKey;
  /** The security-event bus (source `two-factor`). */
  readonly eventBus: IEventBus;
  /** What deleting the stack does to the function's logs: RETAIN on protected stages. */
  readonly logRemovalPolicy: RemovalPolicy;
}

/** Retries of an event whose delivery to the function failed (EventBridge), and of a run that threw (Lambda). */
const deliveryRetries = { eventBridge: 185, eventBridgeMaxAge: Duration.hours(24), lambda: 2, lambdaMaxAge: Duration.hours(6) };

/**
 * Security emails (issue 12): the notifier function, the rule that hands it the security events that email
 * the user, and the SES sender (an email identity and a configuration set with the account's suppression
 * list for bounces and complaints, and delivery metrics in CloudWatch). Events the rule could not deliver,
 * and those the function failed on after Lambda's retries, go to one encrypted dead-letter queue.
 */
export class Notifier extends Construct {
  readonly function: IFunction;
  readonly sender: Sender;
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: NotifierProps) {
    super(scope, id);
    const { table, secretsKey, eventBus } = props;
    this.sender = senderOf(this);

    this.identity = new EmailIdentity(this, 'Sender', {
      identity: this.sender.domain ? Identity.domain(this.sender.domain) : Identity.email(this.sender.address),
    });
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      sendingEnabled: true,
      reputationMetrics: true,
      // Addresses that bounced or complained are not mailed again: they hurt the account's sending reputation.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    new ConfigurationSetEventDestination(this, 'DeliveryMetrics', {
      configurationSet: this.configurationSet,
      destination: EventDestination.cloudWatchDimensions([
        { name: 'ses:configuration-set', source: CloudWatchDimensionSource.MESSAGE_TAG, defaultValue: 'two-factor' },
      ]),
      events: [
        EmailSendingEvent.SEND,
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.RENDERING_FAILURE,
      ],
    });

    const notifier = new StepFunction(this, 'Function', {
      step: notifierStep.step,
      access: notifierStep.access,
      description: 'emails users about security events on their account (SES)',
      table,
      secretsKey,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        [functionEnvironment.senderAddress]: this.sender.address,
        [functionEnvironment.sesConfigurationSet]: this.configurationSet.configurationSetName,
      },
    });
    this.function = notifier.function;

    // Its one write: the record of an email sent, on keys of its own prefix only (read access is the step's).
    notifier.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${tableDesign.notificationKeyPrefix}*`] } },
      }),
    );
    // SendEmail from this identity, under this configuration set, with this From address, and nothing else.
    notifier.role.addToPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          this.identity.emailIdentityArn,
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': this.sender.address } },
      }),
    );

    this.deadLetters = new Queue(this, 'UnsentEmails', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the security-email rule and function; nothing consumes it automatically.',
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself the dead-letter queue of the security-email rule and function: there is no further queue to redrive to.',
    });
    notifier.function.configureAsyncInvoke({
      retryAttempts: deliveryRetries.lambda,
      maxEventAge: deliveryRetries.lambdaMaxAge,
      onFailure: new SqsDestination(this.deadLetters),
    });
    new Rule(this, 'Rule', {
      eventBus,
      description: 'Security events that email the affected user',
      eventPattern: { source: [securityEventSource], detailType: [...securityEmailEventTypes] },
      targets: [
        new LambdaFunction(notifier.function, {
          deadLetterQueue: this.deadLetters,
          retryAttempts: deliveryRetries.eventBridge,
          maxEventAge: deliveryRetries.eventBridgeMaxAge,
        }),
      ],
    });

    new CfnOutput(Stack.of(this), 'SecurityEmailSender', {
      value: this.sender.address,
      description: 'From address of the security emails (verify its SES identity, and leave the SES sandbox, before users get them)',
    });
  }
}
