import type { ConflictReason } from '../../core/errors.js';
import type { AuditEvent, Challenge, Device, Session, TotpFactor, User } from '../../core/model.js';
import type { CountedOn, CurrentSession, DeviceCount, DeviceUse } from '../../core/ports.js';
import { counterMove } from './enrollment.js';
import { cleared, unlockedAt } from './counts.js';
import { type MemoryTable, type Step, keyOf } from './table.js';

/**
 * The steps the repositories' transactions share, each with the condition and reason of its DynamoDB
 * counterpart (see the DynamoDB store's `conditions`).
 */

/** Writes besides the devices' in an unlock or reset stay far below a transaction's 100 (as in DynamoDB). */
const maxDevicesPerUnlock = 80;

function auditKey(event: AuditEvent): string {
  return keyOf(event.appId, `${event.at}#${event.id}`);
}

/** The audit entry as DynamoDB keeps it: no `targetUserId` stands for null, no `detail` for none. */
function storedAudit(event: AuditEvent): AuditEvent {
  return {
    id: event.id,
    appId: event.appId,
    at: event.at,
    type: event.type,
    actorId: event.actorId,
    targetUserId: event.targetUserId,
    ...(event.detail ? { detail: event.detail } : {}),
  };
}

/** Records an audit entry (unconditionally, as the DynamoDB store's transactions do). */
export function auditPut(table: MemoryTable, event: AuditEvent): Step {
  return { write: () => table.auditEvents.put(auditKey(event), storedAudit(event)) };
}

/** A lockout's audit entry, refused with `audit_exists` when that very event was written already. */
export function auditUnlessWritten(table: MemoryTable, event: AuditEvent): Step {
  const key = auditKey(event);
  return {
    condition: { holds: () => !table.auditEvents.has(key), reason: 'audit_exists' },
    write: () => table.auditEvents.put(key, storedAudit(event)),
  };
}

/** The email claim (first writer wins), the profile of a new user, and one more user on the enrollment counters. */
export function userCreation(table: MemoryTable, user: User): Step[] {
  const claim = keyOf(user.appId, user.email);
  return [
    {
      condition: { holds: () => !table.emailClaims.has(claim), reason: 'email_taken' },
      write: () => table.emailClaims.put(claim, user.id),
    },
    {
      condition: { holds: () => !table.users.has(user.id), reason: 'user_exists' },
      write: () =>
        table.users.put(user.id, {
          id: user.id,
          appId: user.appId,
          email: user.email,
          role: user.role,
          createdAt: user.createdAt,
          passwordHash: user.passwordHash,
          generation: user.generation,
          deviceGeneration: user.deviceGeneration,
          rememberGeneration: user.rememberGeneration,
          twoFactorEnabled: user.twoFactorEnabled,
          twoFactorEnabledAt: user.twoFactorEnabledAt,
        }),
    },
    counterMove(table, user, { users: 1, enrolled: user.twoFactorEnabled ? 1 : 0 }),
  ];
}

export function sessionPut(table: MemoryTable, session: Session): Step {
  return { write: () => table.sessions.put(session.tokenHash, session) };
}

export function challengePut(table: MemoryTable, challenge: Challenge): Step {
  return { write: () => table.challenges.put(challenge.tokenHash, challenge) };
}

/**
 * The writes that issue a session to a device: register a new one, or record the use of a known one. With
 * `notLocked`, a known device's count of that kind must not be locked at that time (`count_locked`).
 */
export function deviceUse(table: MemoryTable, use: DeviceUse, notLocked?: { count: DeviceCount; at: number }): Step {
  const { device } = use;
  const key = keyOf(device.userId, device.id);
  if (use.kind === 'new') {
    return {
      condition: { holds: () => !table.devices.has(key), reason: 'device_changed' },
      write: () => table.devices.put(key, device),
    };
  }
  // Remembering is only ever set here, never removed: it ends through the user's remember generation.
  const remembered = device.rememberedUntil !== null && device.rememberedAt !== null;
  const live = () => table.devices.get(key)?.generation === device.generation;
  return {
    condition: notLocked
      ? {
          holds: () => live() && unlockedAt(table.devices.get(key)?.[notLocked.count].lockedUntil ?? null, notLocked.at),
          reason: () => (live() ? 'count_locked' : 'device_changed'),
        }
      : { holds: live, reason: 'device_changed' },
    write: () =>
      table.devices.update(key, (stored) => {
        stored.tokenHash = device.tokenHash;
        stored.lastUsedAt = device.lastUsedAt;
        if (remembered) {
          stored.rememberedAt = device.rememberedAt;
          stored.rememberedUntil = device.rememberedUntil;
          stored.rememberGeneration = device.rememberGeneration;
        }
        for (const count of use.clear) stored[count] = cleared();
      }),
  };
}

/** The session that made a change ending every other session goes on under the user's new generation. */
export function currentSessionGoesOn(table: MemoryTable, user: User, current: CurrentSession): Step {
  const key = current.session.tokenHash;
  return {
    condition: { holds: () => table.sessions.get(key)?.generation === user.generation, reason: 'user_changed' },
    write: () =>
      table.sessions.update(key, (session) => {
        session.generation = user.generation + 1;
        if (current.secondFactorAt !== undefined) session.secondFactorAt = current.secondFactorAt;
      }),
  };
}

/** Ends the lockouts of a user: the count of its email (unknown clients) and those of its devices. */
export function lockoutsEnded(table: MemoryTable, user: User, devices: readonly Device[]): Step[] {
  const newestFirst = [...devices].sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt)).slice(0, maxDevicesPerUnlock);
  return [
    { write: () => table.passwordFailures.delete(keyOf(user.appId, user.email)) },
    ...newestFirst.map((device): Step => {
      const key = keyOf(user.id, device.id);
      return {
        condition: { holds: () => table.devices.has(key), reason: 'device_changed' },
        write: () =>
          table.devices.update(key, (stored) => {
            stored.passwordFailures = cleared();
            stored.secondFactorFailures = cleared();
          }),
      };
    }),
  ];
}

/**
 * A success counted on the account clears the account's second-factor failures (one on a device leaves
 * them). With `notLockedAt`, only while the account's count is not locked at that time (`count_locked`).
 */
export function accountFailuresCleared(table: MemoryTable, user: User, countedOn: CountedOn, notLockedAt?: number): Step[] {
  if (countedOn.kind !== 'account') return [];
  const exists = () => table.factors.has(user.id);
  return [
    {
      condition:
        notLockedAt === undefined
          ? { holds: exists, reason: 'user_changed' }
          : {
              holds: () => {
                const factor = table.factors.get(user.id);
                return factor !== undefined && unlockedAt(factor.lockedUntil, notLockedAt);
              },
              reason: () => (exists() ? 'count_locked' : 'user_changed'),
            },
      write: () =>
        table.factors.update(user.id, (factor) => {
          factor.failedAttempts = 0;
          factor.lockedUntil = null;
        }),
    },
  ];
}

/** A backup code is spent by removing its hash from the set it belongs to; only one request can. */
export function spendBackupCode(table: MemoryTable, userId: string, setId: string, codeHash: string): Step {
  return {
    condition: {
      holds: () => {
        const set = table.backupCodes.get(userId);
        return set?.setId === setId && set.remainingHashes.includes(codeHash);
      },
      reason: 'backup_code_used',
    },
    write: () =>
      table.backupCodes.update(userId, (set) => {
        set.remainingHashes = set.remainingHashes.filter((hash) => hash !== codeHash);
      }),
  };
}

/** A challenge is spent by deleting it, only while it has attempts left. */
export function spendChallenge(table: MemoryTable, challenge: Challenge, maxAttempts: number): Step {
  const key = challenge.tokenHash;
  return {
    condition: {
      holds: () => {
        const stored = table.challenges.get(key);
        return stored !== undefined && stored.failedAttempts < maxAttempts;
      },
      reason: 'challenge_spent',
    },
    write: () => table.challenges.delete(key),
  };
}

/** Holds while the user is enrolled in the generation the caller read. */
export function isEnrolledInGeneration(table: MemoryTable, user: User): boolean {
  const stored = table.users.get(user.id);
  return stored?.generation === user.generation && stored.twoFactorEnabled;
}

/** A check that the user was neither reset nor signed out everywhere since the caller read it. */
export function userIsEnrolled(table: MemoryTable, user: User): Step {
  return { condition: { holds: () => isEnrolledInGeneration(table, user), reason: 'user_changed' } };
}

/** Holds while `step` is newer than every step the user's factor accepted (RFC 6238 §5.2). */
export function stepIsNew(table: MemoryTable, userId: string, step: number): boolean {
  const factor = table.factors.get(userId);
  return factor !== undefined && factor.lastAcceptedStep < step;
}

/**
 * Spends `step`; a success counted on the account also clears the account's failures and lock. A login's
 * commit (`login`) also needs the factor the code was judged against (`user_changed`) and, counted on the
 * account, its count not locked at `now` (`count_locked`).
 */
export function acceptStep(
  table: MemoryTable,
  userId: string,
  step: number,
  countedOn: CountedOn,
  login?: { now: number; factor: TotpFactor },
): Step {
  const judged = login && {
    holds: () => {
      const factor = table.factors.get(userId);
      return (
        factor?.enabledAt === login.factor.enabledAt &&
        stepIsNew(table, userId, step) &&
        (countedOn.kind !== 'account' || unlockedAt(factor.lockedUntil, login.now))
      );
    },
    reason: (): ConflictReason => {
      const factor = table.factors.get(userId);
      if (factor?.enabledAt !== login.factor.enabledAt) return 'user_changed';
      return factor.lastAcceptedStep < step ? 'count_locked' : 'step_used';
    },
  };
  return {
    condition: judged ?? { holds: () => stepIsNew(table, userId, step), reason: 'step_used' },
    write: () =>
      table.factors.update(userId, (factor) => {
        factor.lastAcceptedStep = step;
        if (countedOn.kind === 'account') Object.assign(factor, cleared());
      }),
  };
}
