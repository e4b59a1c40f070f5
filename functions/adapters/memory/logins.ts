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
    transact([countCleared(), challengePut(table, start.challenge)]);
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
    challenge: table.challenges.get(input.challengeHash) ?? null,
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
    spendChallenge(table, input.challenge, limits.maxAttemptsPerChallenge),
    spendBackupCode(table, user.id, input.setId, input.codeHash),
    ...accountFailuresCleared(table, user, countedOn, now),
    sessionPut(table, input.session),
    deviceUse(table, input.device, onDevice(countedOn, now)),
    ...input.audits.map((audit) => auditPut(table, audit)),
  ]);
}
