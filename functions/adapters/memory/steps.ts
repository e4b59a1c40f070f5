import type { AuditEvent, Challenge, Device, FailureCount, Session, User } from '../../core/model.js';
import type { CountedOn, CurrentSession, DeviceUse } from '../../core/ports.js';
import { type MemoryTable, type Step, keyOf } from './table.js';

/**
 * The steps the repositories' transactions share, each with the condition and reason of its DynamoDB
 * counterpart (see the DynamoDB store's `conditions`).
 */

/** A count nothing has failed against: what a success or an unlock leaves. */
const cleared = (): FailureCount => ({ failedAttempts: 0, lockedUntil: null });

/** Writes besides the devices' in an unlock or reset stay far below a transaction's 100 (as in DynamoDB). */
const maxDevicesPerUnlock = 80;

export function auditKey(event: AuditEvent): string {
  return keyOf(event.appId, `${event.at}#${event.id}`);
}

/** The audit entry as DynamoDB keeps it: no `targetUserId` stands for null, no `detail` for none. */
export function storedAudit(event: AuditEvent): AuditEvent {
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

/** The email claim (first writer wins) and the profile of a new user. */
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
  ];
}

export function sessionPut(table: MemoryTable, session: Session): Step {
  return { write: () => table.sessions.put(session.tokenHash, session) };
}

export function challengePut(table: MemoryTable, challenge: Challenge): Step {
  return { write: () => table.challenges.put(challenge.tokenHash, challenge) };
}

/** The writes that issue a session to a device: register a new one, or record the use of a known one. */
export function deviceUse(table: MemoryTable, use: DeviceUse): Step {
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
  return {
    condition: { holds: () => table.devices.get(key)?.generation === device.generation, reason: 'device_changed' },
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

/** A success counted on the account clears the account's second-factor failures (one on a device leaves them). */
export function accountFailuresCleared(table: MemoryTable, user: User, countedOn: CountedOn): Step[] {
  if (countedOn.kind !== 'account') return [];
  return [
    {
      condition: { holds: () => table.factors.has(user.id), reason: 'user_changed' },
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

/** A challenge is spent by deleting it; its own reserved attempt is already counted, hence `<=`. */
export function spendChallenge(table: MemoryTable, challenge: Challenge, maxAttempts: number): Step {
  const key = challenge.tokenHash;
  return {
    condition: {
      holds: () => {
        const stored = table.challenges.get(key);
        return stored !== undefined && stored.failedAttempts <= maxAttempts;
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

/** Spends `step`; a success counted on the account also clears the account's failures and lock. */
export function acceptStep(table: MemoryTable, userId: string, step: number, countedOn: CountedOn): Step {
  return {
    condition: { holds: () => stepIsNew(table, userId, step), reason: 'step_used' },
    write: () =>
      table.factors.update(userId, (factor) => {
        factor.lastAcceptedStep = step;
        if (countedOn.kind === 'account') Object.assign(factor, cleared());
      }),
  };
}

/**
 * Whether a failure count may move from `seen`: it is still `seen` (a count never written reads as
 * `noFailures`, when the item may be missing at all).
 */
export function countIs(stored: FailureCount | undefined, seen: FailureCount): boolean {
  const current = stored ?? cleared();
  return current.failedAttempts === seen.failedAttempts && current.lockedUntil === seen.lockedUntil;
}
