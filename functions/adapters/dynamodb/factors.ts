import { ConditionFailedError } from '../../core/errors.js';
import type { BackupCodeSet, PendingEnrollment, TotpFactor, User } from '../../core/model.js';
import type {
  ConfirmEnrollmentInput,
  DisableTwoFactorInput,
  ReplaceBackupCodesInput,
  ResetTwoFactorInput,
} from '../../core/repository-inputs.js';
import { sessionItem } from './codecs/session.js';
import {
  backupCodesItem,
  backupCodesOf,
  pendingClaimOf,
  pendingEnrollmentItem,
  pendingEnrollmentOf,
  totpFactorItem,
  totpFactorOf,
  userOf,
} from './codecs/user.js';
import { conditions } from './conditions.js';
import { counterWrites } from './enrollment-counts.js';
import { keys } from './keys.js';
import type { Table, Write } from './table.js';
import type { SharedWrites } from './writes.js';

/**
 * The user repository's part that owns the second factor: reading it, enrolling (pending secret, claimed
 * step, confirmation), replacing backup codes, disabling and resetting. Each change that ends the user's
 * other sessions moves the user's generation in the same transaction.
 */
export abstract class DynamoFactors {
  constructor(protected readonly writes: SharedWrites) {}

  protected get table(): Table {
    return this.writes.table;
  }

  private get maxAttempts(): number {
    return this.writes.limits.maxAttemptsPerChallenge;
  }

  async getUser(userId: string): Promise<User | null> {
    const item = await this.table.get(keys.user(userId));
    return item ? userOf(item) : null;
  }

  async getTotpFactor(userId: string): Promise<TotpFactor | null> {
    const item = await this.table.get(keys.totpFactor(userId));
    return item ? totpFactorOf(userId, item) : null;
  }

  async getBackupCodeSet(userId: string): Promise<BackupCodeSet | null> {
    const item = await this.table.get(keys.backupCodes(userId));
    return item ? backupCodesOf(userId, item) : null;
  }

  async getPendingEnrollment(userId: string): Promise<PendingEnrollment | null> {
    const item = await this.table.get(keys.pendingEnrollment(userId));
    return item ? pendingEnrollmentOf(userId, item) : null;
  }

  async putPendingEnrollment(pending: PendingEnrollment): Promise<void> {
    await this.table.write({ item: this.table.put(pendingEnrollmentItem(pending)) });
  }

  async recordEnrollmentFailure(userId: string, enrollmentId: string, maxAttempts: number): Promise<number> {
    const counted = { text: 'ADD failedAttempts :one', values: { ':one': 1 } };
    const update = this.table.update(keys.pendingEnrollment(userId), counted, conditions.pendingMatches(enrollmentId, maxAttempts));
    try {
      const attributes = await this.table.write({ item: update, reason: 'enrollment_gone' });
      return typeof attributes?.failedAttempts === 'number' ? attributes.failedAttempts : maxAttempts;
    } catch (error) {
      // The pending enrollment is gone or used up: as many failures as it could take.
      if (error instanceof ConditionFailedError) return maxAttempts;
      throw error;
    }
  }

  async claimEnrollmentStep(userId: string, enrollmentId: string, step: number): Promise<'claimed' | 'step_used' | 'enrollment_gone'> {
    const claim = { text: 'SET claimedStep = :step', values: { ':step': step } };
    const found = await this.table.writeUnlessRefused(
      this.table.update(keys.pendingEnrollment(userId), claim, conditions.enrollmentStepIsNew(enrollmentId, this.maxAttempts, step)),
    );
    if (found === null) return 'claimed';
    const current = pendingClaimOf(found);
    return current.enrollmentId === enrollmentId && current.failedAttempts < this.maxAttempts ? 'step_used' : 'enrollment_gone';
  }

  async releaseEnrollmentStep(userId: string, enrollmentId: string, step: number): Promise<void> {
    const release = { text: 'REMOVE claimedStep' };
    await this.table.writeUnlessRefused(
      this.table.update(keys.pendingEnrollment(userId), release, conditions.enrollmentStepClaimed(enrollmentId, step)),
    );
  }

  async confirmEnrollment(input: ConfirmEnrollmentInput): Promise<void> {
    const { user, factor, start } = input;
    const writes: Write[] = [];
    if ('challenge' in start) writes.push(this.writes.spendChallenge(start.challenge));
    // A new generation: every other session of the user ends (an attacker's, opened with the password
    // before the owner linked an authenticator, included).
    const enabled = {
      text: 'SET twoFactorEnabled = :enabled, twoFactorEnabledAt = :enabledAt, generation = :nextGeneration',
      values: { ':enabled': true, ':enabledAt': factor.enabledAt, ':nextGeneration': user.generation + 1 },
    };
    writes.push(
      { item: this.table.put(totpFactorItem({ ...factor, lockedUntil: null }), conditions.isNew), reason: 'already_enabled' },
      {
        item: this.table.delete(keys.pendingEnrollment(user.id), conditions.pendingMatches(input.pending.enrollmentId, this.maxAttempts)),
        reason: 'enrollment_gone',
      },
      { item: this.table.update(keys.user(user.id), enabled, conditions.notEnrolledInGeneration(user.generation)), reason: 'user_changed' },
      { item: this.table.put(backupCodesItem(input.backupCodes)) },
      ...counterWrites(this.table, user, { users: 0, enrolled: 1 }),
      this.writes.audit(input.audit),
    );
    if ('challenge' in start) writes.push({ item: this.table.put(sessionItem(start.session)) }, ...this.writes.deviceUse(start.device));
    else writes.push(this.writes.currentSessionGoesOn(user, start.current));
    await this.table.transact(writes);
  }

  async replaceBackupCodes(input: ReplaceBackupCodesInput): Promise<void> {
    const { user } = input;
    const renewed = {
      text: 'SET generation = :nextGeneration ADD rememberGeneration :one',
      values: { ':nextGeneration': user.generation + 1, ':one': 1 },
    };
    await this.table.transact([
      { item: this.table.update(keys.user(user.id), renewed, conditions.enrolledInGeneration(user.generation)), reason: 'not_enrolled' },
      this.writes.acceptStep(user.id, input.step, input.countedOn),
      { item: this.table.put(backupCodesItem(input.backupCodes)) },
      this.writes.currentSessionGoesOn(user, input.current),
      this.writes.audit(input.audit),
    ]);
  }

  async disableTwoFactor(input: DisableTwoFactorInput): Promise<void> {
    const { user } = input;
    const disabled = {
      text: 'SET twoFactorEnabled = :disabled, generation = :nextGeneration ADD rememberGeneration :one REMOVE twoFactorEnabledAt',
      values: { ':disabled': false, ':nextGeneration': user.generation + 1, ':one': 1 },
    };
    await this.table.transact([
      { item: this.table.update(keys.user(user.id), disabled, conditions.enrolledInGeneration(user.generation)), reason: 'not_enrolled' },
      // Deleting the factor under the step condition spends the step that proved the request.
      { item: this.table.delete(keys.totpFactor(user.id), conditions.stepIsNew(input.step)), reason: 'step_used' },
      { item: this.table.delete(keys.backupCodes(user.id)) },
      ...counterWrites(this.table, user, { users: 0, enrolled: -1 }),
      this.writes.currentSessionGoesOn(user, input.current),
      this.writes.audit(input.audit),
    ]);
  }

  async resetTwoFactor(input: ResetTwoFactorInput): Promise<User> {
    const { user } = input;
    const reset = {
      text: 'SET twoFactorEnabled = :disabled ADD generation :one, rememberGeneration :one REMOVE twoFactorEnabledAt',
      values: { ':disabled': false, ':one': 1 },
    };
    // Conditioned on the 2FA state read, so the counters move by what the reset really changes.
    await this.table.transact([
      {
        item: this.table.update(keys.user(user.id), reset, conditions.twoFactorIs(user.twoFactorEnabled)),
        reason: (found) => (found ? 'user_changed' : 'user_gone'),
      },
      ...(user.twoFactorEnabled ? counterWrites(this.table, user, { users: 0, enrolled: -1 }) : []),
      { item: this.table.delete(keys.totpFactor(user.id)) },
      { item: this.table.delete(keys.backupCodes(user.id)) },
      { item: this.table.delete(keys.pendingEnrollment(user.id)) },
      ...this.writes.lockoutsEnded(user, input.devices),
      this.writes.audit(input.audit),
    ]);
    // The reset is committed: reading it back is only for the answer, so a failed read must not turn it
    // into a 503 (the admin would retry a reset that already happened).
    const updated = await this.getUser(user.id).catch(() => null);
    return updated ?? { ...user, twoFactorEnabled: false, twoFactorEnabledAt: null, generation: user.generation + 1 };
  }
}
