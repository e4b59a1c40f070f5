import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { encryptionContextKey } from '../functions/routes.js';
import { tableDesign } from '../functions/table-design.js';
import type { StageConfig } from './stage.js';
import { stageLowerName } from './stage.js';

export interface TwoFactorDataStackProps extends StackProps {
  /** The stage whose names the table, key alias and bus take, and whether its data is retained. */
  readonly stage: StageConfig;
}

/** What a stack deletion does to the stage's data: kept on every protected stage, deleted with a dev stack. */
export function dataRemovalPolicy(stage: StageConfig): RemovalPolicy {
  return stage.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

/**
 * The service's state: the single DynamoDB table and the KMS key that protects TOTP secrets.
 *
 * Kept apart from the API stack so the functions and routes can be torn down and redeployed freely
 * while this stack, with deletion protection and RETAIN policies, keeps every user and secret. A `dev`
 * stage is destroyable instead: `cdk destroy` removes its table and schedules its key's deletion.
 */
export class TwoFactorDataStack extends Stack {
  /** Single table holding apps, users, sessions, challenges, backup codes and audit events. */
  readonly table: Table;
  /** Symmetric key that generates and unwraps the data keys encrypting TOTP secrets. */
  readonly secretsKey: Key;
  /**
   * Where security events go (source `two-factor`); portals subscribe with rules. Kept here, with the
   * state, so their rules survive a redeploy of the API stack.
   */
  readonly eventBus: EventBus;
  /**
   * Security events EventBridge kept refusing, each whole (the PutEvents entry), kept 14 days for a redrive
   * (docs/SECURITY.md); also the stream's on-failure destination, the last resort. Kept here so a redeploy of
   * the API stack cannot delete events nobody has redriven yet.
   */
  readonly unpublishedEvents: Queue;

  constructor(scope: Construct, id: string, props: TwoFactorDataStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const removalPolicy = dataRemovalPolicy(stage);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableDesign.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDesign.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Sessions, challenges and rate-limit windows carry `expiresAt` (epoch seconds) so DynamoDB
      // deletes them; handlers still check expiry themselves because TTL deletion lags.
      timeToLiveAttribute: tableDesign.timeToLiveAttribute,
      stream: StreamViewType[tableDesign.streamView],
      deletionProtection: stage.protectData,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: tableDesign.usersIndex.name,
      partitionKey: { name: tableDesign.usersIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDesign.usersIndex.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...tableDesign.usersIndex.projectedAttributes],
    });

    this.secretsKey = new Key(this, 'SecretsKey', {
      description: 'Wraps the per-app data keys that encrypt TOTP secrets of the two-factor service',
      enableKeyRotation: true,
      // Losing this key would make every stored TOTP secret unreadable: never delete it with a protected stack.
      removalPolicy,
      alias: `alias/${stageLowerName(stage, 'secrets')}`,
    });
    // The key policy itself refuses every cryptographic use of the key that does not name one app: no
    // identity policy, present or future, can unwrap or make a data key without an encryption context, or
    // with any context key but `appId`. Administration (the account's `kms:*`) stays.
    const cryptographicActions = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
    this.secretsKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyUseWithoutEncryptionContext',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: cryptographicActions,
        resources: ['*'],
        conditions: { Null: { 'kms:EncryptionContextKeys': 'true' } },
      }),
    );
    this.secretsKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyUseWithOtherContextKeys',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: cryptographicActions,
        resources: ['*'],
        conditions: { 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': [encryptionContextKey] } },
      }),
    );

    this.eventBus = new EventBus(this, 'SecurityEvents', {
      eventBusName: stageLowerName(stage, 'security-events'),
      description: 'Security events of the two-factor service (enrolled, disabled, reset, backup codes, lockouts)',
    });

    this.unpublishedEvents = new Queue(this, 'UnpublishedEvents', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(this.unpublishedEvents).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the event publisher; it is redriven by hand (npm run cli -- redrive-events).',
    });
    Validations.of(this.unpublishedEvents).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This queue is itself the dead-letter queue of the event publisher: there is no further queue to redrive to.',
    });
  }
}
