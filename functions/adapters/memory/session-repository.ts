import { ConditionFailedError } from '../../core/errors.js';
import type { AuditEvent, Challenge, Device, FailureCount, Session, User } from '../../core/model.js';
import type { DeviceCount, DeviceUse, LoginAttempt, SessionRepository, StoreLimits } from '../../core/ports.js';
import type {
  CompleteLoginWithBackupCodeInput,
  CompleteLoginWithTotpInput,
  CompletePasswordStepInput,
  CountLoginFailureInput,
  ReadLoginAttemptInput,
  StepUpInput,
} from '../../core/repository-inputs.js';
import { deviceCount, moveCount } from './counts.js';
import { completeLoginWithBackupCode, completeLoginWithTotp, completePasswordStep, countLoginFailure, readLoginAttempt } from './logins.js';
import { acceptStep, accountFailuresCleared, auditPut, deviceUse, sessionPut, spendBackupCode, userIsEnrolled } from './steps.js';
import { type MemoryTable, atomically, byteOrder, keyOf, transact } from './table.js';

/** The in-memory SessionRepository: the DynamoDB store's conditions, over a `MemoryTable`. */
export class MemorySessionRepository implements SessionRepository {
  constructor(
    private readonly table: MemoryTable,
    private readonly limits: StoreLimits,
  ) {}

  issueSession(session: Session, device: DeviceUse): Promise<void> {
    return atomically(() => {
      transact([sessionPut(this.table, session), deviceUse(this.table, device)]);
    });
  }

  getSession(tokenHash: string): Promise<Session | null> {
    return atomically(() => this.table.sessions.get(tokenHash) ?? null);
  }

  deleteSession(tokenHash: string): Promise<void> {
    return atomically(() => {
      this.table.sessions.delete(tokenHash);
    });
  }

  putChallenge(challenge: Challenge): Promise<void> {
    return atomically(() => {
      this.table.challenges.put(challenge.tokenHash, challenge);
    });
  }

  getChallenge(tokenHash: string): Promise<Challenge | null> {
    return atomically(() => this.table.challenges.get(tokenHash) ?? null);
  }

  getDevice(userId: string, deviceId: string): Promise<Device | null> {
    return atomically(() => this.table.devices.get(keyOf(userId, deviceId)) ?? null);
  }

  listDevices(userId: string): Promise<Device[]> {
    // The DynamoDB store queries the user's partition, whose device items sort by id.
    return atomically(() => this.table.devices.where((device) => device.userId === userId).sort((a, b) => byteOrder(a.id, b.id)));
  }

  forgetDevice(user: User, deviceId: string, audit: AuditEvent): Promise<boolean> {
    return atomically(() => {
      const key = keyOf(user.id, deviceId);
      try {
        transact([
          {
            condition: { holds: () => this.table.devices.get(key)?.generation === user.deviceGeneration, reason: 'device_changed' },
            write: () => this.table.devices.delete(key),
          },
          auditPut(this.table, audit),
        ]);
        return true;
      } catch (error) {
        if (error instanceof ConditionFailedError) return false;
        throw error;
      }
    });
  }

  moveDeviceFailures(userId: string, deviceId: string, count: DeviceCount, seen: FailureCount, next: FailureCount): Promise<boolean> {
    return atomically(() => moveCount(deviceCount(this.table, userId, deviceId, count), seen, next));
  }

  signOutEverywhere(user: User, audit: AuditEvent): Promise<void> {
    return atomically(() => {
      const { users } = this.table;
      transact([
        {
          condition: { holds: () => users.get(user.id)?.generation === user.generation, reason: 'user_changed' },
          write: () =>
            users.update(user.id, (stored) => {
              stored.generation += 1;
              stored.deviceGeneration += 1;
            }),
        },
        auditPut(this.table, audit),
      ]);
    });
  }

  stepUp(input: StepUpInput): Promise<void> {
    return atomically(() => {
      const { user, proof } = input;
      const sessionKey = input.session.tokenHash;
      transact([
        userIsEnrolled(this.table, user),
        ...('step' in proof
          ? [acceptStep(this.table, user.id, proof.step, input.countedOn)]
          : [
              spendBackupCode(this.table, user.id, proof.setId, proof.codeHash),
              ...accountFailuresCleared(this.table, user, input.countedOn),
            ]),
        {
          condition: { holds: () => this.table.sessions.get(sessionKey)?.generation === user.generation, reason: 'user_changed' },
          write: () =>
            this.table.sessions.update(sessionKey, (session) => {
              session.secondFactorAt = input.secondFactorAt;
              session.assurance = 'two_factor';
            }),
        },
        ...(input.audit ? [auditPut(this.table, input.audit)] : []),
      ]);
    });
  }

  completePasswordStep(input: CompletePasswordStepInput): Promise<void> {
    return atomically(() => {
      completePasswordStep(this.table, input);
    });
  }

  readLoginAttempt(input: ReadLoginAttemptInput): Promise<LoginAttempt> {
    return atomically(() => readLoginAttempt(this.table, input));
  }

  countLoginFailure(input: CountLoginFailureInput): Promise<'counted' | 'count_moved' | 'challenge_spent'> {
    return atomically(() => countLoginFailure(this.table, this.limits, input));
  }

  completeLoginWithTotp(input: CompleteLoginWithTotpInput): Promise<void> {
    return atomically(() => {
      completeLoginWithTotp(this.table, this.limits, input);
    });
  }

  completeLoginWithBackupCode(input: CompleteLoginWithBackupCodeInput): Promise<void> {
    return atomically(() => {
      completeLoginWithBackupCode(this.table, this.limits, input);
    });
  }
}
