import { createHash } from 'node:crypto';
import { tableDesign } from '../../table-design.js';

/**
 * The single table's key builders, the only place that knows how items are keyed.
 *
 * A user's items sit under the user's own partition (`USER#…`), sessions and challenges under their token
 * hash, and only small per-app items (the app, its settings, config versions, data keys) under the app,
 * so an app with a million users spreads over many partitions. The sparse `gsi1` lists an app's users.
 */
export interface ItemKey {
  pk: string;
  sk: string;
}

const versionWidth = 8;
const devicePrefix = 'DEVICE#';

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
  auditEvent: (appId: string, at: string, eventId: string): ItemKey => ({ pk: `AUDIT#${appId}`, sk: `${at}#${eventId}` }),
  auditPartition: (appId: string): string => `AUDIT#${appId}`,
  /** gsi1 partition listing an app's users, sorted by creation time. */
  usersIndex: (appId: string, createdAt: string, userId: string) => ({ gsi1pk: `USERS#${appId}`, gsi1sk: `${createdAt}#${userId}` }),
  usersIndexPartition: (appId: string): string => `USERS#${appId}`,
};

export const usersIndexName = tableDesign.usersIndex.name;
