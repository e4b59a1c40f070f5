import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/** Name of the sparse index that lists an app's users (only user items carry `gsi1pk`). */
export const usersByAppIndexName = 'gsi1';

/**
 * Attributes copied into `gsi1`. INCLUDE instead of ALL keeps writes to attributes the user list
 * never shows (password hash, failed attempts, last used TOTP step, ...) from being replicated to
 * the index, which would double their write cost and widen what a query on the index can read.
 */
export const usersByAppProjectedAttributes = [
  'userId',
  'appId',
  'email',
  'role',
  'createdAt',
  'twoFactorEnabled',
] as const;

/** Alias of the key that wraps the per-app data keys which encrypt TOTP secrets. */
export const secretsKeyAlias = 'alias/two-factor-secrets';

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

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Sessions, challenges and rate-limit windows carry `expiresAt` (epoch seconds) so DynamoDB
      // deletes them; handlers still check expiry themselves because TTL deletion lags.
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: usersByAppIndexName,
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...usersByAppProjectedAttributes],
    });

    this.secretsKey = new Key(this, 'SecretsKey', {
      description: 'Wraps the per-app data keys that encrypt TOTP secrets of the two-factor service',
      enableKeyRotation: true,
      // Losing this key would make every stored TOTP secret unreadable: never delete it with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
      alias: secretsKeyAlias,
    });
  }
}
