import {
  roles,
  type BackupCodeSet,
  type FailureCount,
  type PendingEnrollment,
  type TotpFactor,
  type User,
  type UserSummary,
} from '../../../core/model.js';
import { type Item, ItemReader } from '../item-reader.js';
import { keys } from '../keys.js';

/** Claims an email within an app for one user: the write that makes emails unique. */
export function emailClaimItem(user: User): Item {
  return { ...keys.emailClaim(user.appId, user.email), userId: user.id, appId: user.appId };
}

export function claimedUserIdOf(item: Item): string {
  return new ItemReader(item, 'email claim').string('userId');
}

/** The profile, also in the sparse index that lists an app's users by sign-up time. */
export function userItem(user: User): Item {
  return {
    ...keys.user(user.id),
    ...keys.usersIndex(user.appId, user.createdAt, user.id),
    userId: user.id,
    appId: user.appId,
    email: user.email,
    role: user.role,
    createdAt: user.createdAt,
    passwordHash: user.passwordHash,
    generation: user.generation,
    deviceGeneration: user.deviceGeneration,
    rememberGeneration: user.rememberGeneration,
    twoFactorEnabled: user.twoFactorEnabled,
    ...(user.twoFactorEnabledAt === null ? {} : { twoFactorEnabledAt: user.twoFactorEnabledAt }),
  };
}

export function userOf(item: Item): User {
  const read = new ItemReader(item, 'user');
  return {
    id: read.string('userId'),
    appId: read.string('appId'),
    email: read.string('email'),
    role: read.oneOf('role', roles),
    createdAt: read.string('createdAt'),
    passwordHash: read.string('passwordHash'),
    generation: read.number('generation'),
    // Profiles written before devices existed have neither generation: both start at 0.
    deviceGeneration: read.numberOr('deviceGeneration', 0),
    rememberGeneration: read.numberOr('rememberGeneration', 0),
    twoFactorEnabled: read.flag('twoFactorEnabled'),
    twoFactorEnabledAt: read.stringOr('twoFactorEnabledAt', null),
  };
}

export function userSummaryOf(item: Item): UserSummary {
  const read = new ItemReader(item, 'user');
  return {
    id: read.string('userId'),
    email: read.string('email'),
    role: read.oneOf('role', roles),
    createdAt: read.string('createdAt'),
    twoFactorSetupComplete: read.flag('twoFactorEnabled'),
  };
}

export function totpFactorItem(factor: TotpFactor): Item {
  return {
    ...keys.totpFactor(factor.userId),
    userId: factor.userId,
    secret: factor.secret,
    enabledAt: factor.enabledAt,
    lastAcceptedStep: factor.lastAcceptedStep,
    failedAttempts: factor.failedAttempts,
    ...(factor.lockedUntil === null ? {} : { lockedUntil: factor.lockedUntil }),
  };
}

export function totpFactorOf(userId: string, item: Item): TotpFactor {
  const read = new ItemReader(item, 'TOTP factor');
  return {
    userId,
    secret: read.sealedSecret('secret'),
    enabledAt: read.string('enabledAt'),
    lastAcceptedStep: read.number('lastAcceptedStep'),
    ...read.failureCount('failedAttempts', 'lockedUntil'),
  };
}

export function pendingEnrollmentItem(pending: PendingEnrollment): Item {
  return {
    ...keys.pendingEnrollment(pending.userId),
    userId: pending.userId,
    enrollmentId: pending.enrollmentId,
    secret: pending.secret,
    failedAttempts: pending.failedAttempts,
    expiresAt: pending.expiresAt,
  };
}

export function pendingEnrollmentOf(userId: string, item: Item): PendingEnrollment {
  const read = new ItemReader(item, 'pending enrollment');
  return {
    userId,
    enrollmentId: read.string('enrollmentId'),
    secret: read.sealedSecret('secret'),
    failedAttempts: read.number('failedAttempts'),
    expiresAt: read.number('expiresAt'),
  };
}

/** What a lost step claim needs to know of the pending enrollment it found: is it still the same one? */
export function pendingClaimOf(item: Item): { enrollmentId: string | null; failedAttempts: number } {
  const read = new ItemReader(item, 'pending enrollment');
  return { enrollmentId: read.stringOr('enrollmentId', null), failedAttempts: read.numberOr('failedAttempts', 0) };
}

/** Each code's hash is a key of one map, so spending a code is removing that key under a condition. */
export function backupCodesItem(set: BackupCodeSet): Item {
  return {
    ...keys.backupCodes(set.userId),
    setId: set.setId,
    salt: set.salt,
    createdAt: set.createdAt,
    codes: Object.fromEntries(set.remainingHashes.map((hash) => [hash, true])),
  };
}

export function backupCodesOf(userId: string, item: Item): BackupCodeSet {
  const read = new ItemReader(item, 'backup codes');
  return {
    userId,
    setId: read.string('setId'),
    salt: read.string('salt'),
    remainingHashes: read.mapKeys('codes'),
    createdAt: read.string('createdAt'),
  };
}

export function passwordFailuresOf(item: Item): FailureCount {
  return new ItemReader(item, 'password failures').failureCount('failedAttempts', 'lockedUntil');
}
