import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { documentClient } from './api.js';
import { storedItem } from './table.js';

/**
 * Points a sealed secret at another id of its app's data key, one the stack process has not unwrapped yet:
 * the next request that opens it must ask KMS, as a freshly started function would.
 */
export async function coldDataKey(appId: string, userId: string, sealedIn: 'TOTP' | 'TOTP#PENDING'): Promise<void> {
  const table = process.env.TWOFA_TABLE_NAME!;
  const app = (await storedItem(`APP#${appId}`, 'APP'))!;
  const dataKey = (await storedItem(`APP#${appId}`, `DATAKEY#${app.dataKeyId}`))!;
  const alias = `dk_cold_${randomBytes(8).toString('hex')}`;
  const client = documentClient();
  try {
    await client.send(new PutCommand({ TableName: table, Item: { ...dataKey, sk: `DATAKEY#${alias}` } }));
    await client.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `USER#${userId}`, sk: sealedIn },
        UpdateExpression: 'SET secret.keyId = :alias',
        ExpressionAttributeValues: { ':alias': alias },
      }),
    );
  } finally {
    client.destroy();
  }
}
