import type { AuditEvent, Challenge, Device, FailureCount, User } from '../../core/model.js';
import type { CountedOn, CurrentSession, DeviceUse, StoreLimits } from '../../core/ports.js';
import { auditItem } from './codecs/audit.js';
import { deviceCountAttributes, deviceItem, type CountAttributes } from './codecs/session.js';
import { emailClaimItem, userItem } from './codecs/user.js';
import { conditions } from './conditions.js';
import { keys, type ItemKey } from './keys.js';
import type { Table, Write } from './table.js';

/** The account's second-factor failure count sits on the TOTP factor item. */
export const accountCountAttributes: CountAttributes = { failedAttempts: 'failedAttempts', lockedUntil: 'lockedUntil' };

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

  userCreation(user: User): Write[] {
    return [
      { item: this.table.put(emailClaimItem(user), conditions.isNew), reason: 'email_taken' },
      { item: this.table.put(userItem(user), conditions.isNew), reason: 'user_exists' },
    ];
  }

  /** Registers a new device, or records the use of a known one (token, last use, remembering, counts cleared). */
  deviceUse(use: DeviceUse): Write[] {
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
    return [
      {
        item: this.table.update(keys.device(device.userId, device.id), change, conditions.deviceLive(device.generation)),
        reason: 'device_changed',
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
   * Moves a consecutive-failure count from `seen` to `next` in one conditional write; false when another
   * request moved it first (or collided with a transaction on the item): the caller re-reads.
   */
  async moveFailureCount(
    key: ItemKey,
    attributes: CountAttributes,
    seen: FailureCount,
    next: FailureCount,
    options: { mustExist: boolean; expiresAt?: number },
  ): Promise<boolean> {
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
    const refused = await this.table.writeUnlessRefused(
      this.table.update(key, change, conditions.countIs(attributes, seen, options.mustExist)),
      {
        conflictIsRefusal: true,
      },
    );
    return refused === null;
  }
}
