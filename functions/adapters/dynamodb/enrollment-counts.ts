import { createHash } from 'node:crypto';
import { utcDay } from '../../core/enforcement.js';
import { type Role, roles, type User } from '../../core/model.js';
import type { EnrollmentCounts, EnrollmentDelta } from '../../core/ports.js';
import { ItemReader } from './item-reader.js';
import { keys } from './keys.js';
import type { Table, Write } from './table.js';

/**
 * The enrollment report's counters: per app and role, how many users there are and how many have a second
 * factor, in total and per sign-up day. They move by `ADD` in the very transactions that create a user,
 * confirm an enrollment, disable or reset 2FA, so they never drift from the profiles, and the report reads a
 * few dozen small items instead of the users.
 *
 * Each counter is split over `counterShards` items, a user's always in the same one (by a hash of its id):
 * DynamoDB cancels transactions that touch one item at the same time, so 50 enrollments at once on one
 * counter would mostly retry; spread over 32 items, few meet. Reading sums the shards.
 */
const counterShards = 32;

function shardOf(userId: string): number {
  return createHash('sha256').update(userId, 'utf8').digest().readUInt8(0) % counterShards;
}

/** The writes that move a user's counters (its role's total and its sign-up day) by `delta`. */
export function counterWrites(table: Table, user: Pick<User, 'id' | 'appId' | 'role' | 'createdAt'>, delta: EnrollmentDelta): Write[] {
  const shard = shardOf(user.id);
  const change = {
    text: 'ADD #users :users, enrolled :enrolled',
    names: { '#users': 'users' },
    values: { ':users': delta.users, ':enrolled': delta.enrolled },
  };
  return [
    { item: table.update(keys.enrollmentTotal(user.appId, user.role, shard), change) },
    { item: table.update(keys.enrollmentDay(user.appId, user.role, utcDay(user.createdAt), shard), change) },
  ];
}

/** Every counter item of a key range, summed per role and per day. */
async function queryAll(table: Table, appId: string, from: string, to: string) {
  const found: { sk: string; users: number; enrolled: number }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.query({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': keys.enrollmentTotal(appId, '', 0).pk, ':from': from, ':to': to },
      ConsistentRead: true,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const item of page.items) {
      const read = new ItemReader(item, 'enrollment counter');
      found.push({ sk: read.string('sk'), users: read.numberOr('users', 0), enrolled: read.numberOr('enrolled', 0) });
    }
    start = page.lastKey;
  } while (start);
  return found;
}

/** The counters of every role: totals, and the sign-up days from `fromDay` on. Four queries at once. */
export async function readEnrollmentCounts(table: Table, appId: string, fromDay: string): Promise<EnrollmentCounts> {
  const perRole = await Promise.all(
    roles.map(async (role: Role) => {
      const [totals, days] = await Promise.all([
        queryAll(table, appId, `ROLE#${role}#TOTAL#`, `ROLE#${role}#TOTAL#~`),
        queryAll(table, appId, `ROLE#${role}#DAY#${fromDay}`, `ROLE#${role}#DAY#~`),
      ]);
      const byDay = new Map<string, { users: number; enrolled: number }>();
      for (const item of days) {
        const day = item.sk.split('#')[3] ?? '';
        const sum = byDay.get(day) ?? { users: 0, enrolled: 0 };
        byDay.set(day, { users: sum.users + item.users, enrolled: sum.enrolled + item.enrolled });
      }
      return [
        role,
        {
          users: totals.reduce((sum, item) => sum + item.users, 0),
          enrolled: totals.reduce((sum, item) => sum + item.enrolled, 0),
          byDay: [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, counts]) => ({ day, ...counts })),
        },
      ] as const;
    }),
  );
  return Object.fromEntries(perRole) as EnrollmentCounts;
}
