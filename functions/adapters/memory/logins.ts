import { ConditionFailedError } from '../../core/errors.js';

import type { CountedOn, DeviceCount, LoginAttempt, StoreLimits } from '../../core/ports.js';
import type {
  CompleteLoginWithBackupCodeInput,
  CompleteLoginWithTotpInput,
  CompletePasswordStepInput,
  CountLoginFailureInput,
  ReadLoginAttemptInput,
} from '../../core/repository-inputs.js';
import { accountCount, countMove, deviceCount, passwordCountCleared } from './counts.js';
import {
  acceptStep,
  accountFailuresCleared,
  auditPut,
  auditUnlessWritten,
  challengePut,
  deviceUse,
  sessionPut,
  spendBackupCode,
  spendChallenge,
} from './steps.js';
import { type MemoryTable, type Step, keyOf, transact } from './table.js';

/**
 * A login's reads and transactions, for `MemorySessionRepository`: each step in the DynamoDB store's order,
 * with its condition and reason.
 */

export function completePasswordStep(table: MemoryTable, input: CompletePasswordStepInput): void {
  const { user, countedOn, now, start } = input;
  const countCleared = () => passwordCountCleared(table, user, countedOn, now, user.deviceGeneration);
  if ('challenge' in start) {
    const { challenge, room } = start;
    // A login challenge is held for the factor it was issued for: a reset or new enrollment in between refuses it.
    const factorAsRead: Step = {
      condition: { holds: () => room !== null && table.factors.get(user.id)?.enabledAt === room.factorEnabledAt, reason: 'user_changed' },
    };
    transact([countCleared(), ...(challenge.purpose === 'login' ? [factorAsRead] : []), challengePut(table, challenge)]);
    return;
  }
  // A session to the presented device clears its password count with the device's own update.
  const onDevice = countedOn.kind === 'device' && start.device.kind === 'known' && start.device.device.id === countedOn.deviceId;
  transact([
    ...(onDevice ? [] : [countCleared()]),
    sessionPut(table, start.session),
    deviceUse(table, start.device, onDevice ? { count: 'passwordFailures', at: now } : undefined),
  ]);
}

export function readLoginAttempt(table: MemoryTable, input: ReadLoginAttemptInput): LoginAttempt {
  const { userId } = input;
  return {
    app: table.apps.get(input.appId) ?? null,
    // A login challenge is held for its user's factor: without one, there is none.
    challenge: table.factors.has(userId) ? (table.challenges.get(input.challengeHash) ?? null) : null,
    user: table.users.get(userId) ?? null,
    factor: table.factors.get(userId) ?? null,
    device: input.deviceId === null ? null : (table.devices.get(keyOf(userId, input.deviceId)) ?? null),
    backupCodes: input.backupCodes ? (table.backupCodes.get(userId) ?? null) : null,
  };
}

export function countLoginFailure(
  table: MemoryTable,
  limits: StoreLimits,
  input: CountLoginFailureInput,
): 'counted' | 'count_moved' | 'challenge_spent' {
  const { userId, countedOn, lockout } = input;
  const { challenges, users } = table;
  const challengeKey = input.challenge.tokenHash;
  const count =
    countedOn.kind === 'account' ? accountCount(table, userId) : deviceCount(table, userId, countedOn.deviceId, 'secondFactorFailures');
  // Someone is guessing the second factor: the lockout is a security event, and no device skips it any more.
  const lockoutSteps: Step[] = lockout
    ? [
        auditUnlessWritten(table, lockout),
        {
          condition: { holds: () => users.has(userId), reason: 'challenge_spent' },
          write: () =>
            users.update(userId, (user) => {
              user.rememberGeneration += 1;
            }),
        },
      ]
    : [];
  try {
    transact([
      {
        condition: {
          holds: () => {
            const challenge = challenges.get(challengeKey);
            return challenge !== undefined && challenge.failedAttempts < limits.maxAttemptsPerChallenge;
          },
          reason: 'challenge_spent',
        },
        write: () =>
          challenges.update(challengeKey, (challenge) => {
            challenge.failedAttempts += 1;
          }),
      },
      countMove(count, input.seen, input.next),
      ...lockoutSteps,
    ]);
    return 'counted';
  } catch (error) {
    if (error instanceof ConditionFailedError && (error.reason === 'count_moved' || error.reason === 'challenge_spent'))
      return error.reason;
    throw error;
  }
}

/** The second factor proven on a device must not be locked there (`count_locked`). */
function onDevice(countedOn: CountedOn, now: number): { count: DeviceCount; at: number } | undefined {
  return countedOn.kind === 'device' ? { count: 'secondFactorFailures', at: now } : undefined;
}

export function completeLoginWithTotp(table: MemoryTable, limits: StoreLimits, input: CompleteLoginWithTotpInput): void {
  const { countedOn, now } = input;
  transact([
    spendChallenge(table, input.challenge, limits.maxAttemptsPerChallenge),
    acceptStep(table, input.user.id, input.step, countedOn, { now, factor: input.factor }),
    sessionPut(table, input.session),
    deviceUse(table, input.device, onDevice(countedOn, now)),
    ...input.audits.map((audit) => auditPut(table, audit)),
  ]);
}

export function completeLoginWithBackupCode(table: MemoryTable, limits: StoreLimits, input: CompleteLoginWithBackupCodeInput): void {
  const { user, countedOn, now } = input;
  transact([
    // A login challenge is held for the factor: a reset or disable removes it (and the challenge with it).
    { condition: { holds: () => table.factors.has(user.id), reason: 'user_changed' } },
    spendChallenge(table, input.challenge, limits.maxAttemptsPerChallenge),
    spendBackupCode(table, user.id, input.setId, input.codeHash),
    ...accountFailuresCleared(table, user, countedOn, now),
    sessionPut(table, input.session),
    deviceUse(table, input.device, onDevice(countedOn, now)),
    ...input.audits.map((audit) => auditPut(table, audit)),
  ]);
}
