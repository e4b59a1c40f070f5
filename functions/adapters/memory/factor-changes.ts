import type { BackupCodeSet, User } from '../../core/model.js';
import type { StoreLimits } from '../../core/ports.js';
import type {
  ConfirmEnrollmentInput,
  DisableTwoFactorInput,
  ReplaceBackupCodesInput,
  ResetTwoFactorInput,
} from '../../core/repository-inputs.js';
import {
  acceptStep,
  auditPut,
  currentSessionGoesOn,
  deviceUse,
  isEnrolledInGeneration,
  lockoutsEnded,
  sessionPut,
  spendChallenge,
  stepIsNew,
} from './steps.js';
import { counterMove } from './enrollment.js';
import { type MemoryTable, type Step, transact } from './table.js';

/**
 * The transactions that add, replace or remove a user's second factor, for `MemoryUserRepository`: each
 * step in the DynamoDB store's order, with its condition and reason.
 */

/** The set as DynamoDB keeps it: its hashes are the keys of a map, so each is kept once. */
function backupCodesPut(table: MemoryTable, set: BackupCodeSet): Step {
  const stored: BackupCodeSet = {
    userId: set.userId,
    setId: set.setId,
    salt: set.salt,
    remainingHashes: [...new Set(set.remainingHashes)],
    createdAt: set.createdAt,
  };
  return { write: () => table.backupCodes.put(set.userId, stored) };
}

/** Ends every other session and remembering: a new generation of both, while enrolled in the one read. */
function newGenerationWhileEnrolled(table: MemoryTable, user: User, change: (stored: User) => void): Step {
  return {
    condition: { holds: () => isEnrolledInGeneration(table, user), reason: 'not_enrolled' },
    write: () =>
      table.users.update(user.id, (stored) => {
        stored.generation = user.generation + 1;
        stored.rememberGeneration += 1;
        change(stored);
      }),
  };
}

export function confirmEnrollment(table: MemoryTable, limits: StoreLimits, input: ConfirmEnrollmentInput): void {
  const { user, factor, start } = input;
  const steps: Step[] = [];
  if ('challenge' in start) steps.push(spendChallenge(table, start.challenge, limits.maxAttemptsPerChallenge));
  steps.push(
    {
      condition: { holds: () => !table.factors.has(factor.userId), reason: 'already_enabled' },
      write: () =>
        table.factors.put(factor.userId, {
          userId: factor.userId,
          secret: factor.secret,
          enabledAt: factor.enabledAt,
          lastAcceptedStep: factor.lastAcceptedStep,
          failedAttempts: factor.failedAttempts,
          // The DynamoDB store writes a new factor without a lock.
          lockedUntil: null,
        }),
    },
    {
      // Confirm only the pending secret the code was checked against, not one a newer start replaced.
      condition: {
        holds: () => {
          const pending = table.pendingEnrollments.get(user.id);
          return pending?.enrollmentId === input.pending.enrollmentId && pending.failedAttempts < limits.maxAttemptsPerChallenge;
        },
        reason: 'enrollment_gone',
      },
      write: () => table.pendingEnrollments.delete(user.id),
    },
    {
      // A new generation: every other session of the user ends.
      condition: {
        holds: () => {
          const stored = table.users.get(user.id);
          return stored?.generation === user.generation && !stored.twoFactorEnabled;
        },
        reason: 'user_changed',
      },
      write: () =>
        table.users.update(user.id, (stored) => {
          stored.twoFactorEnabled = true;
          stored.twoFactorEnabledAt = factor.enabledAt;
          stored.generation = user.generation + 1;
        }),
    },
    backupCodesPut(table, input.backupCodes),
    counterMove(table, user, { users: 0, enrolled: 1 }),
    auditPut(table, input.audit),
  );
  if ('challenge' in start) steps.push(sessionPut(table, start.session), deviceUse(table, start.device));
  else steps.push(currentSessionGoesOn(table, user, start.current));
  transact(steps);
}

export function replaceBackupCodes(table: MemoryTable, input: ReplaceBackupCodesInput): void {
  const { user } = input;
  transact([
    newGenerationWhileEnrolled(table, user, () => undefined),
    acceptStep(table, user.id, input.step, input.countedOn),
    backupCodesPut(table, input.backupCodes),
    currentSessionGoesOn(table, user, input.current),
    auditPut(table, input.audit),
  ]);
}

export function disableTwoFactor(table: MemoryTable, input: DisableTwoFactorInput): void {
  const { user } = input;
  transact([
    newGenerationWhileEnrolled(table, user, (stored) => {
      stored.twoFactorEnabled = false;
      stored.twoFactorEnabledAt = null;
    }),
    // Deleting the factor under the step condition spends the step that proved the request.
    {
      condition: { holds: () => stepIsNew(table, user.id, input.step), reason: 'step_used' },
      write: () => table.factors.delete(user.id),
    },
    { write: () => table.backupCodes.delete(user.id) },
    counterMove(table, user, { users: 0, enrolled: -1 }),
    currentSessionGoesOn(table, user, input.current),
    auditPut(table, input.audit),
  ]);
}

export function resetTwoFactor(table: MemoryTable, input: ResetTwoFactorInput): void {
  const { user } = input;
  transact([
    {
      // Every session and challenge minted under the old generation is dead; so is remembering. Conditioned on
      // the 2FA state read, so the counters move by what the reset really changes.
      condition: {
        holds: () => table.users.get(user.id)?.twoFactorEnabled === user.twoFactorEnabled,
        reason: () => (table.users.has(user.id) ? 'user_changed' : 'user_gone'),
      },
      write: () =>
        table.users.update(user.id, (stored) => {
          stored.twoFactorEnabled = false;
          stored.twoFactorEnabledAt = null;
          stored.generation += 1;
          stored.rememberGeneration += 1;
        }),
    },
    { write: () => table.factors.delete(user.id) },
    { write: () => table.backupCodes.delete(user.id) },
    { write: () => table.pendingEnrollments.delete(user.id) },
    ...(user.twoFactorEnabled ? [counterMove(table, user, { users: 0, enrolled: -1 })] : []),
    ...lockoutsEnded(table, user, input.devices),
    auditPut(table, input.audit),
  ]);
}
