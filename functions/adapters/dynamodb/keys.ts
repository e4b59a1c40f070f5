import { createHash } from 'node:crypto';
import type { AuditEvent, AuditEventType } from '../../core/model.js';
import { tableDesign } from '../../table-design.js';

/**
 * The single table's key builders, the only place that knows how items are keyed.
 *
 * A user's items sit under the user's own partition (`USER#…`), sessions and challenges under their token
 * hash, and only small per-app items (the app, its settings, config versions, data keys) under the app,
 * so an app with a million users spreads over many partitions. An app's audit entries and its users' gsi1
 * entries are spread over a fixed number of write shards each (`table-design.ts`); listings read them all.
 */
export interface ItemKey {
  pk: string;
  sk: string;
}

const versionWidth = 8;
const devicePrefix = 'DEVICE#';
/** Every audit partition starts with it, which is what the event publisher's stream filter matches. */
export const auditPrefix = 'AUDIT#';
const usersPrefix = 'USERS#';
const { auditShards } = tableDesign;
const usersIndexShards = tableDesign.usersIndex.shards;
/** The entries anyone can cause (wrong passwords and codes), kept apart from the app's own activity. */
const lockoutTypes: ReadonlySet<AuditEventType> = new Set(['password.locked_out', 'two_factor.locked_out']);

/** A stable shard of `count` for an id: the id's SHA-256, its first four bytes taken modulo `count`. */
function shardOf(id: string, count: number): number {
  return createHash('sha256').update(id, 'utf8').digest().readUInt32BE(0) % count;
}

function shards(count: number): number[] {
  return Array.from({ length: count }, (_, shard) => shard);
}

export const keys = {
  app: (appId: string): ItemKey => ({ pk: `APP#${appId}`, sk: 'APP' }),
  draftSettings: (appId: string): ItemKey => ({ pk: `APP#${appId}`, sk: 'SETTINGS#DRAFT' }),
  configVersion: (appId: string, version: number): ItemKey => ({
    pk: `APP#${appId}`,
    sk: `CONFIG#${String(version).padStart(versionWidth, '0')}`,
  }),
  dataKey: (appId: string, keyId: string): ItemKey => ({ pk: `APP#${appId}`, sk: `DATAKEY#${keyId}` }),
  emailClaim: (appId: string, email: string): ItemKey => ({ pk: `EMAIL#${appId}#${email}`, sk: 'EMAIL' }),
  user: (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  totpFactor: (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'TOTP' }),
  pendingEnrollment: (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'TOTP#PENDING' }),
  backupCodes: (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'BACKUP_CODES' }),
  /**
   * What a login and its verify read of a user, in one Query of its partition: the profile and the TOTP
   * factor, which holds the login challenges (and the few deadline reminders sorted between them).
   */
  signInRange: (userId: string) => ({ pk: `USER#${userId}`, from: 'PROFILE', to: 'TOTP' }),
  /** A user's devices sit in the user's partition, so one Query lists them. */
  device: (userId: string, deviceId: string): ItemKey => ({ pk: `USER#${userId}`, sk: `${devicePrefix}${deviceId}` }),
  devicePrefix: (): string => devicePrefix,
  /** Keyed by a hash of the email: the count exists for emails nobody signed up with, too. */
  passwordFailures: (appId: string, email: string): ItemKey => ({
    pk: `PASSWORD_FAILURES#${createHash('sha256').update(`${appId}\n${email}`, 'utf8').digest('hex')}`,
    sk: 'PASSWORD_FAILURES',
  }),
  /**
   * Enrollment counters of an app (see enrollment-counts.ts): per role, one total and one per sign-up day,
   * each split over `shard`s so that parallel enrollments seldom meet on one item.
   */
  enrollmentTotal: (appId: string, role: string, shard: number): ItemKey => ({ pk: `COUNTS#${appId}`, sk: `ROLE#${role}#TOTAL#${shard}` }),
  enrollmentDay: (appId: string, role: string, day: string, shard: number): ItemKey => ({
    pk: `COUNTS#${appId}`,
    sk: `ROLE#${role}#DAY#${day}#${shard}`,
  }),
  /** Lists an app whose published config has enrollment deadlines (for the reminders' scheduled run). */
  appWithDeadlines: (appId: string): ItemKey => ({ pk: 'APPS_WITH_DEADLINES', sk: appId }),
  appsWithDeadlinesPartition: (): string => 'APPS_WITH_DEADLINES',
  /** Marks a deadline reminder sent, so a repeated run sends none twice. */
  deadlineReminder: (userId: string, enrollBy: string, daysLeft: number): ItemKey => ({
    pk: `USER#${userId}`,
    sk: `REMINDER#${enrollBy}#${daysLeft}`,
  }),
  session: (tokenHash: string): ItemKey => ({ pk: `SESSION#${tokenHash}`, sk: 'SESSION' }),
  challenge: (tokenHash: string): ItemKey => ({ pk: `CHALLENGE#${tokenHash}`, sk: 'CHALLENGE' }),
  /** One security email sent (or being sent), keyed by its event; the notifier may write these items only. */
  notification: (key: string): ItemKey => ({ pk: `${tableDesign.notificationKeyPrefix}${key}`, sk: 'NOTIFICATION' }),
  /** An audit entry, in one of its app's write shards (a lockout in one of the lockout shards), sorted by time. */
  auditEvent: (event: Pick<AuditEvent, 'appId' | 'at' | 'id' | 'type'>): ItemKey => {
    const range = lockoutTypes.has(event.type) ? 'lockouts' : 'activity';
    return { pk: `${auditPrefix}${event.appId}#${range}-${shardOf(event.id, auditShards[range])}`, sk: `${event.at}#${event.id}` };
  },
  /** Every partition an app's audit entries can be in: each shard, then the one unsharded partition of before. */
  auditPartitions: (appId: string): string[] => [
    ...shards(auditShards.activity).map((shard) => `${auditPrefix}${appId}#activity-${shard}`),
    ...shards(auditShards.lockouts).map((shard) => `${auditPrefix}${appId}#lockouts-${shard}`),
    `${auditPrefix}${appId}`,
  ],
  /** The gsi1 keys listing an app's users by creation time, in one of the app's index shards. */
  usersIndex: (appId: string, createdAt: string, userId: string) => ({
    gsi1pk: `${usersPrefix}${appId}#${shardOf(userId, usersIndexShards)}`,
    gsi1sk: `${createdAt}#${userId}`,
  }),
  /** Every gsi1 partition an app's users can be in: each shard, then the one unsharded partition of before. */
  usersIndexPartitions: (appId: string): string[] => [
    ...shards(usersIndexShards).map((shard) => `${usersPrefix}${appId}#${shard}`),
    `${usersPrefix}${appId}`,
  ],
};

export const usersIndexName = tableDesign.usersIndex.name;
