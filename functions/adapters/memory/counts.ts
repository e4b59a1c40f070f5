import { ConditionFailedError } from '../../core/errors.js';
import type { FailureCount, User } from '../../core/model.js';
import type { CountedOn, DeviceCount } from '../../core/ports.js';
import { type MemoryTable, type Step, keyOf, transact } from './table.js';

/**
 * Consecutive-failure counts (the account's on the TOTP factor, a device's two, an email's password count)
 * and the writes that move or clear them, with the DynamoDB store's conditions and reasons.
 */

/** A count nothing has failed against: what a success or an unlock leaves. */
export const cleared = (): FailureCount => ({ failedAttempts: 0, lockedUntil: null });

/** A lock is over at `now` (or there is none). */
export function unlockedAt(lockedUntil: number | null, now: number): boolean {
  return lockedUntil === null || lockedUntil <= now;
}

/** Where a count is kept: read (undefined: its item does not exist) and written in place. */
export interface CountSlot {
  read: () => FailureCount | undefined;
  write: (next: FailureCount) => void;
  /** The count lives on an item that must exist (a factor, a device); an email's count is created by its first failure. */
  mustExist: boolean;
}

export function accountCount(table: MemoryTable, userId: string): CountSlot {
  return {
    read: () => {
      const factor = table.factors.get(userId);
      return factor && { failedAttempts: factor.failedAttempts, lockedUntil: factor.lockedUntil };
    },
    write: (next) =>
      table.factors.update(userId, (factor) => {
        factor.failedAttempts = next.failedAttempts;
        factor.lockedUntil = next.lockedUntil;
      }),
    mustExist: true,
  };
}

export function deviceCount(table: MemoryTable, userId: string, deviceId: string, count: DeviceCount): CountSlot {
  const key = keyOf(userId, deviceId);
  return {
    read: () => table.devices.get(key)?.[count],
    write: (next) =>
      table.devices.update(key, (device) => {
        device[count] = { failedAttempts: next.failedAttempts, lockedUntil: next.lockedUntil };
      }),
    mustExist: true,
  };
}

/** An email's password count, forgotten at `expiresAt` (epoch seconds) by DynamoDB's TTL (not here). */
export function emailCount(table: MemoryTable, appId: string, email: string, expiresAt: number): CountSlot {
  const key = keyOf(appId, email);
  return {
    read: () => {
      const stored = table.passwordFailures.get(key);
      return stored && { failedAttempts: stored.failedAttempts, lockedUntil: stored.lockedUntil };
    },
    write: (next) => table.passwordFailures.put(key, { failedAttempts: next.failedAttempts, lockedUntil: next.lockedUntil, expiresAt }),
    mustExist: false,
  };
}

/**
 * Moves a count from `seen` to `next` (compare and set); refused with `count_moved` when another request
 * moved it first. A count never written reads as `cleared()`, where its item may be missing at all.
 */
export function countMove(slot: CountSlot, seen: FailureCount, next: FailureCount): Step {
  return {
    condition: {
      holds: () => {
        const current = slot.read();
        if (current === undefined && slot.mustExist) return false;
        const { failedAttempts, lockedUntil } = current ?? cleared();
        return failedAttempts === seen.failedAttempts && lockedUntil === seen.lockedUntil;
      },
      reason: 'count_moved',
    },
    write: () => slot.write(next),
  };
}

/** `countMove` on its own: false when another request moved the count first (the caller re-reads). */
export function moveCount(slot: CountSlot, seen: FailureCount, next: FailureCount): boolean {
  try {
    transact([countMove(slot, seen, next)]);
    return true;
  } catch (error) {
    if (error instanceof ConditionFailedError) return false;
    throw error;
  }
}

/**
 * A right password clears the count it was made against, only while that count is not locked at `now`
 * (`count_locked`); a device forgotten meanwhile is `device_changed`.
 */
export function passwordCountCleared(table: MemoryTable, user: User, countedOn: CountedOn, now: number, deviceGeneration: number): Step {
  if (countedOn.kind === 'account') {
    const key = keyOf(user.appId, user.email);
    return {
      condition: { holds: () => unlockedAt(table.passwordFailures.get(key)?.lockedUntil ?? null, now), reason: 'count_locked' },
      write: () => table.passwordFailures.delete(key),
    };
  }
  const key = keyOf(user.id, countedOn.deviceId);
  return {
    condition: {
      holds: () => {
        const device = table.devices.get(key);
        return device?.generation === deviceGeneration && unlockedAt(device.passwordFailures.lockedUntil, now);
      },
      reason: () => (table.devices.get(key)?.generation === deviceGeneration ? 'count_locked' : 'device_changed'),
    },
    write: () =>
      table.devices.update(key, (device) => {
        device.passwordFailures = cleared();
      }),
  };
}
