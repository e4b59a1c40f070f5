import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { challengeSlotKey, challengesAttribute } from '../../functions/adapters/dynamodb/codecs/login-challenge.js';
import { hashToken } from '../../functions/core/tokens.js';
import { documentClient } from './api.js';

/**
 * Reads the table behind the API (DynamoDB Local, not through the fault switch), so a test can see what
 * a request really left behind, not only what it answered.
 */
export type StoredItem = Record<string, any>;

const tableName = () => process.env.TWOFA_TABLE_NAME!;

/** The stored form of a session or challenge token (its SHA-256), as the item key carries it. */
export { hashToken as tokenHash } from '../../functions/core/tokens.js';

export async function storedItem(pk: string, sk: string): Promise<StoredItem | undefined> {
  const client = documentClient();
  try {
    return (await client.send(new GetCommand({ TableName: tableName(), Key: { pk, sk }, ConsistentRead: true }))).Item;
  } finally {
    client.destroy();
  }
}

/** A login challenge as stored: an entry of its user's TOTP factor item (see codecs/login-challenge.ts). */
export async function storedLoginChallenge(userId: string, challengeToken: string): Promise<StoredItem | undefined> {
  const slots = (await storedItem(`USER#${userId}`, 'TOTP'))?.[challengesAttribute] as Record<string, StoredItem> | undefined;
  return slots?.[challengeSlotKey(hashToken(challengeToken))];
}

/** Every item of one partition (a user's profile, factor, pending enrollment and codes; an app's items). */
export async function partition(pk: string): Promise<StoredItem[]> {
  const client = documentClient();
  const items: StoredItem[] = [];
  try {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  } finally {
    client.destroy();
  }
}

/**
 * Every item anywhere in the table that belongs to a user: the user's partition, the email claim, the audit
 * events about the user, and the sessions and challenges (keyed by token hash, so only a scan finds those
 * whose tokens nobody returned).
 */
export async function everythingOf(userId: string): Promise<StoredItem[]> {
  const client = documentClient();
  const items: StoredItem[] = [];
  try {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName(),
          FilterExpression: 'pk = :userPartition OR userId = :userId OR targetUserId = :userId',
          ExpressionAttributeValues: { ':userPartition': `USER#${userId}`, ':userId': userId },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
  } finally {
    client.destroy();
  }
}

/** The user's sessions (live or not) as stored. */
export async function sessionsOf(userId: string): Promise<StoredItem[]> {
  return (await everythingOf(userId)).filter((item) => String(item.pk).startsWith('SESSION#'));
}

/**
 * The user's stored sessions once none disappear any more: a TOTP login whose commit was refused answers at
 * once and takes back the session it wrote beside the commit just after (functions/adapters/dynamodb/table.ts,
 * `writeAlongside`), so right after a race the losers' sessions, whose tokens nobody got, may still be there.
 */
export async function settledSessionsOf(userId: string): Promise<StoredItem[]> {
  let sessions = await sessionsOf(userId);
  for (let look = 0; look < 30; look++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await sessionsOf(userId);
    if (now.length === sessions.length) return now;
    sessions = now;
  }
  return sessions;
}
