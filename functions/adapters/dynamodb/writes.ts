import type { AuditEvent, Challenge, Device, FailureCount, User } from '../../core/model.js';
import type { CountedOn, CurrentSession, DeviceCount, DeviceUse, StoreLimits } from '../../core/ports.js';
import { auditItem } from './codecs/audit.js';
import { deviceCountAttributes, deviceItem, type CountAttributes } from './codecs/session.js';
import { emailClaimItem, userItem } from './codecs/user.js';
import { conditions } from './conditions.js';
import { counterWrites } from './enrollment-counts.js';
import { keys, type ItemKey } from './keys.js';
import { passwordLockAttribute } from './codecs/login-challenge.js';
import { and, type Table, type Write } from './table.js';

/** The account's second-factor failure count sits on the TOTP factor item. */
export const accountCountAttributes: CountAttributes = { failedAttempts: 'failedAttempts', lockedUntil: 'lockedUntil' };

/** Whether a failure count's item must exist already (a factor's, a device's) and when it expires (an email's). */
interface CountMoveOptions {
  mustExist: boolean;
  expiresAt?: number;
}

/** Writes besides the devices' in an unlock or reset stay far below a transaction's 100. */
const maxDevicesPerUnlock = 80;

/**
 * The writes that several repositories' transactions share (a user's creation, an audit entry, spending a
 * step, a code or a challenge, issuing a session to a device), each with the reason it reports.
 */
export class SharedWrites {
  constructor(
    readonly table: Table,
    readonly limits: StoreLimits,
  ) {}

  /** An audit entry; `unless_written` makes writing one event twice (a retried lockout record) fail with `audit_exists`. */
  audit(event: AuditEvent, mode?: 'unless_written'): Write {
    return mode
      ? { item: this.table.put(auditItem(event), conditions.isNew), reason: 'audit_exists' }
      : { item: this.table.put(auditItem(event)) };
  }

  /** A new user: its email claim, its profile, and one more user (enrolled or not) on the enrollment counters. */
  userCreation(user: User): Write[] {
    return [
      { item: this.table.put(emailClaimItem(user), conditions.isNew), reason: 'email_taken' },
      { item: this.table.put(userItem(user), conditions.isNew), reason: 'user_exists' },
      ...counterWrites(this.table, user, { users: 1, enrolled: user.twoFactorEnabled ? 1 : 0 }),
    ];
  }

  /**
   * Registers a new device, or records the use of a known one (token, last use, remembering, counts cleared).
   * With `notLocked`, a known device's count of that kind must not be locked at that time (`count_locked`).
   */
  deviceUse(use: DeviceUse, notLocked?: { count: DeviceCount; at: number }): Write[] {
    const { device } = use;
    if (use.kind === 'new') return [{ item: this.table.put(deviceItem(device), conditions.isNew), reason: 'device_changed' }];
    // Remembering is only ever set here, never removed: it ends through the user's remember generation, so a
    // use that read the device before it was remembered cannot undo that.
    const remembered = device.rememberedUntil !== null && device.rememberedAt !== null;
    const cleared = use.clear.map((count) => deviceCountAttributes[count]);
    const sets = [
      'tokenHash = :tokenHash',
      'lastUsedAt = :lastUsedAt',
      ...(remembered
        ? ['rememberedAt = :rememberedAt', 'rememberedUntil = :rememberedUntil', 'rememberGeneration = :rememberGeneration']
        : []),
      ...cleared.map((count) => `${count.failedAttempts} = :zero`),
    ];
    const removes = cleared.map((count) => count.lockedUntil);
    const change = {
      text: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      values: {
        ':tokenHash': device.tokenHash,
        ':lastUsedAt': device.lastUsedAt,
        ...(remembered
          ? {
              ':rememberedAt': device.rememberedAt,
              ':rememberedUntil': device.rememberedUntil,
              ':rememberGeneration': device.rememberGeneration,
            }
          : {}),
        ...(cleared.length > 0 ? { ':zero': 0 } : {}),
      },
    };
    const live = conditions.deviceLive(device.generation);
    const key = keys.device(device.userId, device.id);
    if (notLocked === undefined) return [{ item: this.table.update(key, change, live), reason: 'device_changed' }];
    const unlocked = conditions.notLocked(deviceCountAttributes[notLocked.count].lockedUntil, notLocked.at);
    return [
      {
        item: this.table.update(key, change, and(live, unlocked)),
        reason: (found) => (found?.generation === device.generation ? 'count_locked' : 'device_changed'),
      },
    ];
  }

  /**
   * The session that made a change which ends every other session of the user goes on under the user's new
   * generation (and, when the change proved a second factor, records it for step-up).
   */
  currentSessionGoesOn(user: User, current: CurrentSession): Write {
    const proved = current.secondFactorAt !== undefined;
    const change = {
      text: `SET generation = :nextGeneration${proved ? ', secondFactorAt = :at' : ''}`,
      values: { ':nextGeneration': user.generation + 1, ...(proved ? { ':at': current.secondFactorAt } : {}) },
    };
    return {
      item: this.table.update(keys.session(current.session.tokenHash), change, conditions.sameGeneration(user.generation)),
      reason: 'user_changed',
    };
  }

  /** Ends the lockouts of a user: the count of its email (unknown clients) and those of its devices. */
  lockoutsEnded(user: User, devices: readonly Device[]): Write[] {
    // A transaction holds at most 100 writes; a user with more devices than fit keeps the oldest counts.
    const newestFirst = [...devices].sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt)).slice(0, maxDevicesPerUnlock);
    const { passwordFailures: pw, secondFactorFailures: sf } = deviceCountAttributes;
    const cleared = {
      text: `SET ${pw.failedAttempts} = :zero, ${sf.failedAttempts} = :zero REMOVE ${pw.lockedUntil}, ${sf.lockedUntil}`,
      values: { ':zero': 0 },
    };
    return [
      { item: this.table.delete(keys.passwordFailures(user.appId, user.email)) },
      ...newestFirst.map((device): Write => ({
        item: this.table.update(keys.device(user.id, device.id), cleared, conditions.exists),
        reason: 'device_changed',
      })),
    ];
  }

  /** A success counted on the account clears the account's second-factor failures (one on a device leaves them). */
  accountFailuresCleared(user: User, countedOn: CountedOn): Write[] {
    if (countedOn.kind !== 'account') return [];
    const cleared = { text: 'SET failedAttempts = :zero REMOVE lockedUntil', values: { ':zero': 0 } };
    return [{ item: this.table.update(keys.totpFactor(user.id), cleared, conditions.exists), reason: 'user_changed' }];
  }

  /** An unlock clears the account's second-factor count and lock on the factor, and the password lock stamped there. */
  factorLockoutsEnded(user: User): Write {
    const cleared = { text: `SET failedAttempts = :zero REMOVE lockedUntil, ${passwordLockAttribute}`, values: { ':zero': 0 } };
    return { item: this.table.update(keys.totpFactor(user.id), cleared, conditions.exists), reason: 'user_changed' };
  }

  spendBackupCode(userId: string, setId: string, codeHash: string): Write {
    const change = { text: 'REMOVE #codes.#code', names: { '#codes': 'codes', '#code': codeHash } };
    return {
      item: this.table.update(keys.backupCodes(userId), change, conditions.backupCodeUnused(setId, codeHash)),
      reason: 'backup_code_used',
    };
  }

  spendChallenge(challenge: Challenge): Write {
    return {
      item: this.table.delete(keys.challenge(challenge.tokenHash), conditions.challengeLive(this.limits.maxAttemptsPerChallenge)),
      reason: 'challenge_spent',
    };
  }

  userIsEnrolled(user: User): Write {
    return { item: this.table.check(keys.user(user.id), conditions.enrolledInGeneration(user.generation)), reason: 'user_changed' };
  }

  /**
   * Spends `step`; a success counted on the account also clears the account's consecutive-failure count and
   * lockout (one counted on a known device leaves the account's count, which unknown clients run up, alone).
   */
  acceptStep(userId: string, step: number, countedOn: CountedOn): Write {
    const change =
      countedOn.kind === 'account'
        ? { text: 'SET lastAcceptedStep = :step, failedAttempts = :zero REMOVE lockedUntil', values: { ':step': step, ':zero': 0 } }
        : { text: 'SET lastAcceptedStep = :step', values: { ':step': step } };
    return { item: this.table.update(keys.totpFactor(userId), change, conditions.stepIsNew(step)), reason: 'step_used' };
  }

  /**
   * A right password clears the count it was made against, only while that count is not locked at `now`
   * (parallel wrong guesses locked it after it was read: `count_locked`); a device forgotten meanwhile is
   * `device_changed`.
   */
  passwordCountCleared(user: User, countedOn: CountedOn, now: number, deviceGeneration: number): Write {
    if (countedOn.kind === 'account') {
      const unlocked = {
        text: '(attribute_not_exists(pk) OR attribute_not_exists(lockedUntil) OR lockedUntil <= :now)',
        values: { ':now': now },
      };
      return { item: this.table.delete(keys.passwordFailures(user.appId, user.email), unlocked), reason: 'count_locked' };
    }
    const { failedAttempts, lockedUntil } = deviceCountAttributes.passwordFailures;
    const cleared = { text: `SET ${failedAttempts} = :zero REMOVE ${lockedUntil}`, values: { ':zero': 0 } };
    const condition = and(conditions.deviceLive(deviceGeneration), conditions.notLocked(lockedUntil, now));
    return {
      item: this.table.update(keys.device(user.id, countedOn.deviceId), cleared, condition),
      reason: (found) => (found?.generation === deviceGeneration ? 'count_locked' : 'device_changed'),
    };
  }

  /**
   * The write that moves a consecutive-failure count from `seen` to `next` (compare and set), refused with
   * `count_moved` when another request moved it first.
   */
  countMove(key: ItemKey, attributes: CountAttributes, seen: FailureCount, next: FailureCount, options: CountMoveOptions): Write {
    const sets = ['#failedAttempts = :failures', ...(next.lockedUntil === null ? [] : ['#lockedUntil = :lock'])];
    if (options.expiresAt !== undefined) sets.push('expiresAt = :expiresAt');
    const change = {
      text: `SET ${sets.join(', ')}${next.lockedUntil === null ? ' REMOVE #lockedUntil' : ''}`,
      names: { '#failedAttempts': attributes.failedAttempts, '#lockedUntil': attributes.lockedUntil },
      values: {
        ':failures': next.failedAttempts,
        ...(next.lockedUntil === null ? {} : { ':lock': next.lockedUntil }),
        ...(options.expiresAt === undefined ? {} : { ':expiresAt': options.expiresAt }),
      },
    };
    return { item: this.table.update(key, change, conditions.countIs(attributes, seen, options.mustExist)), reason: 'count_moved' };
  }

  /**
   * Moves a consecutive-failure count in one conditional write; false when another request moved it first
   * (or collided with a transaction on the item): the caller re-reads.
   */
  async moveFailureCount(
    key: ItemKey,
    attributes: CountAttributes,
    seen: FailureCount,
    next: FailureCount,
    options: CountMoveOptions,
  ): Promise<boolean> {
    const refused = await this.table.writeUnlessRefused(this.countMove(key, attributes, seen, next, options).item, {
      conflictIsRefusal: true,
    });
    return refused === null;
  }
}
