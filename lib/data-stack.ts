import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { encryptionContextKey } from '../functions/routes.js';
import { tableDesign } from '../functions/table-design.js';

/** Alias of the key that wraps the per-app data keys which encrypt TOTP secrets. */
const secretsKeyAlias = 'alias/two-factor-secrets';

/**
 * The service's state: the single DynamoDB table and the KMS key that protects TOTP secrets.
 *
 * Kept apart from the API stack so the functions and routes can be torn down and redeployed freely
 * while this stack, with deletion protection and RETAIN policies, keeps every user and secret.
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

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableDesign.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDesign.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Sessions, challenges and rate-limit windows carry `expiresAt` (epoch seconds) so DynamoDB
      // deletes them; handlers still check expiry themselves because TTL deletion lags.
      timeToLiveAttribute: tableDesign.timeToLiveAttribute,
      stream: StreamViewType[tableDesign.streamView],
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
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
      // Losing this key would make every stored TOTP secret unreadable: never delete it with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
      alias: secretsKeyAlias,
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
      eventBusName: 'two-factor-security-events',
      description: 'Security events of the two-factor service (enrolled, disabled, reset, backup codes, lockouts)',
    });
  }
}
