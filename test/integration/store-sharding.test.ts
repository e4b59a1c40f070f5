import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditEventOf, auditItem } from '../../functions/adapters/dynamodb/codecs/audit.js';
import { userItem } from '../../functions/adapters/dynamodb/codecs/user.js';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import type { AuditEvent, AuditEventType } from '../../functions/core/model.js';
import type { Repositories } from '../../functions/core/ports.js';
import { newId } from '../../functions/core/tokens.js';
import { tableDesign } from '../../functions/table-design.js';
import { documentClient } from '../support/api.js';
import { aChallenge, anAudit, aUser } from '../support/store-contract/fixtures.js';
import { closeStores, stores } from '../support/store-contract/stores.js';
import { partition } from '../support/table.js';

/**
 * Where the DynamoDB store puts an app's audit entries and its users' index entries (write shards, lockouts
 * apart), and that its listings read every shard and the unsharded partitions of before, in order, also
 * when a partition's Query stops at DynamoDB's 1 MB. The store contract proves the listings' behaviour is
 * the memory store's; this proves the layout behind it.
 */

const dynamo = stores.find((store) => store.name === 'DynamoDB')!;
const tableName = () => process.env.TWOFA_TABLE_NAME!;
const lockoutTypes: AuditEventType[] = ['password.locked_out', 'two_factor.locked_out'];
const activityTypes: AuditEventType[] = ['two_factor.enrolled', 'two_factor.reset', 'config.published', 'user.unlocked'];

let repos: Repositories;
let client: DynamoDBDocumentClient;
beforeAll(() => {
  repos = dynamo.repositories();
  client = documentClient();
});
afterAll(() => {
  client.destroy();
  closeStores();
});

const at = (minute: number, second = 0) => new Date(Date.UTC(2032, 0, 1, 0, minute, second)).toISOString();
const newestFirst = (events: AuditEvent[]) => [...events].sort((a, b) => (`${a.at}#${a.id}` < `${b.at}#${b.id}` ? 1 : -1));

async function recorded(events: AuditEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += 20)
    await Promise.all(events.slice(start, start + 20).map((event) => repos.users.recordLockout(event, false)));
}

async function everyPage<T>(list: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: T[]; nextCursor: string | null } = await list(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

async function indexPartition(gsi1pk: string): Promise<Record<string, unknown>[]> {
  const answer = await client.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: tableDesign.usersIndex.name,
      KeyConditionExpression: 'gsi1pk = :partition',
      ExpressionAttributeValues: { ':partition': gsi1pk },
    }),
  );
  return answer.Items ?? [];
}

describe('the audit trail of one app', () => {
  it('spreads over every activity shard, lockouts over every lockout shard, never the two together', async () => {
    const appId = newId('app');
    const events = Array.from({ length: 160 }, (_, index) =>
      index < 120 ? anAudit(appId, activityTypes[index % activityTypes.length]) : anAudit(appId, lockoutTypes[index % 2]),
    );
    await recorded(events);

    const [legacy, ...shards] = [keys.auditPartitions(appId).at(-1)!, ...keys.auditPartitions(appId).slice(0, -1)];
    const stored = await Promise.all(shards.map(async (pk) => ({ pk, items: await partition(pk) })));
    const activity = stored.filter(({ pk }) => pk.includes('#activity-'));
    const lockouts = stored.filter(({ pk }) => pk.includes('#lockouts-'));

    expect(activity).toHaveLength(tableDesign.auditShards.activity);
    expect(lockouts).toHaveLength(tableDesign.auditShards.lockouts);
    for (const shard of [...activity, ...lockouts]) expect(shard.items.length).toBeGreaterThan(0);
    for (const shard of activity) for (const item of shard.items) expect(activityTypes).toContain(item.type);
    for (const shard of lockouts) for (const item of shard.items) expect(lockoutTypes).toContain(item.type);
    expect(stored.flatMap(({ items }) => items)).toHaveLength(events.length);
    expect(await partition(legacy)).toEqual([]);
  });

  it('keeps every entry where the stream filter and the publisher find it', async () => {
    const appId = newId('app');
    const events = [...activityTypes, ...lockoutTypes].map((type) => anAudit(appId, type));
    await recorded(events);

    for (const event of events) {
      const item = auditItem(event);
      // The event publisher's stream filter: `pk` begins with `AUDIT#` (asserted on the template in test/infra).
      expect(String(item.pk).startsWith('AUDIT#')).toBe(true);
      expect(keys.auditPartitions(appId)).toContain(item.pk);
      expect(auditEventOf((await partition(String(item.pk))).find((stored) => stored.eventId === event.id))).toEqual(event);
    }
  });

  it('still lists entries of the unsharded partition of before, in order with the sharded ones', async () => {
    const appId = newId('app');
    const sharded = Array.from({ length: 12 }, (_, index) => anAudit(appId, activityTypes[index % 4], { at: at(index) }));
    const old = Array.from({ length: 6 }, (_, index) => anAudit(appId, 'settings.updated', { at: at(index * 2, 30) }));
    await recorded(sharded);
    for (const event of old)
      await client.send(new PutCommand({ TableName: tableName(), Item: { ...auditItem(event), pk: `AUDIT#${appId}` } }));

    const listed = await everyPage((cursor) => repos.audit.listAuditEvents(appId, 5, cursor));

    expect(listed).toEqual(newestFirst([...sharded, ...old]));
  });

  it('pages correctly when a partition stops at 1 MB before the page is full', async () => {
    const appId = newId('app');
    // Five entries of about 300 KB in one partition: a Query of it stops at 1 MB, after three or four.
    const padding = 'x'.repeat(300_000);
    const large = Array.from({ length: 5 }, (_, index) =>
      anAudit(appId, 'settings.updated', { at: at(index * 3, 10), detail: { padding } }),
    );
    const small = Array.from({ length: 15 }, (_, index) => anAudit(appId, activityTypes[index % 4], { at: at(index) }));
    await recorded(small);
    for (const event of large)
      await client.send(new PutCommand({ TableName: tableName(), Item: { ...auditItem(event), pk: `AUDIT#${appId}` } }));

    const pages: AuditEvent[][] = [];
    await everyPage(async (cursor) => {
      const page = await repos.audit.listAuditEvents(appId, 50, cursor);
      pages.push(page.items);
      return page;
    });

    expect(pages.length).toBeGreaterThan(1);
    expect(pages.flat()).toEqual(newestFirst([...small, ...large]));
  });
});

describe('the users index of one app', () => {
  it('spreads over every index shard', async () => {
    const appId = newId('app');
    const users = Array.from({ length: 100 }, () => aUser(appId));
    for (let start = 0; start < users.length; start += 20)
      await Promise.all(users.slice(start, start + 20).map((user) => repos.users.createUser(user, { challenge: aChallenge(user) })));

    const [legacy, ...shards] = [keys.usersIndexPartitions(appId).at(-1)!, ...keys.usersIndexPartitions(appId).slice(0, -1)];
    const entries = await Promise.all(shards.map(indexPartition));

    expect(shards).toHaveLength(tableDesign.usersIndex.shards);
    for (const shard of entries) expect(shard.length).toBeGreaterThan(0);
    expect(
      entries
        .flat()
        .map((entry) => entry.userId)
        .sort(),
    ).toEqual(users.map((user) => user.id).sort());
    expect(await indexPartition(legacy)).toEqual([]);
  });

  it('still lists users indexed in the unsharded partition of before, in order with the others', async () => {
    const appId = newId('app');
    const created = (second: number) => new Date(Date.UTC(2032, 0, 2, 0, 0, second)).toISOString();
    const users = Array.from({ length: 9 }, (_, index) => aUser(appId, { createdAt: created(index * 2) }));
    const old = Array.from({ length: 5 }, (_, index) => aUser(appId, { createdAt: created(index * 3 + 1) }));
    for (const user of users) await repos.users.createUser(user, { challenge: aChallenge(user) });
    for (const user of old)
      await client.send(new PutCommand({ TableName: tableName(), Item: { ...userItem(user), gsi1pk: `USERS#${appId}` } }));

    const listed = await everyPage((cursor) => repos.users.listUsers(appId, 4, cursor));

    const byCreation = [...users, ...old].sort((a, b) => (`${a.createdAt}#${a.id}` < `${b.createdAt}#${b.id}` ? -1 : 1));
    expect(listed.map((user) => user.id)).toEqual(byCreation.map((user) => user.id));
  });
});
