import { ConditionFailedError } from '../../core/errors.js';
import type {
  AppRuntime,
  AuditEvent,
  BackupCodeSet,
  Challenge,
  ChallengeRoom,
  Device,
  FailureCount,
  PendingEnrollment,
  Session,
  TotpFactor,
  User,
  UserSummary,
} from '../../core/model.js';
import type { EnrollmentCounts, Page, StoreLimits, UserRepository, UsersFilter } from '../../core/ports.js';
import { enrollmentCounts, recordDeadlineReminder } from './enrollment.js';
import type {
  ConfirmEnrollmentInput,
  CountPasswordFailureInput,
  DisableTwoFactorInput,
  ReplaceBackupCodesInput,
  ResetTwoFactorInput,
} from '../../core/repository-inputs.js';
import { confirmEnrollment, disableTwoFactor, replaceBackupCodes, resetTwoFactor } from './factor-changes.js';
import { pageOf, sortKeyShapes } from './listing.js';
import { accountCount, countMove, deviceCount, emailCount, moveCount } from './counts.js';
import {
  accountFailuresCleared,
  auditPut,
  auditUnlessWritten,
  challengePut,
  deviceUse,
  lockoutsEnded,
  sessionPut,
  userCreation,
} from './steps.js';
import { type MemoryTable, atomically, keyOf, transact } from './table.js';

/** The in-memory UserRepository: the DynamoDB store's conditions, over a `MemoryTable`. */
export class MemoryUserRepository implements UserRepository {
  constructor(
    private readonly table: MemoryTable,
    private readonly limits: StoreLimits,
  ) {}

  createUser(user: User, start: { session: Session; device: Device } | { challenge: Challenge }): Promise<void> {
    return atomically(() => {
      transact([
        ...userCreation(this.table, user),
        ...('session' in start
          ? [sessionPut(this.table, start.session), deviceUse(this.table, { kind: 'new', device: start.device })]
          : [challengePut(this.table, start.challenge)]),
      ]);
    });
  }

  findUserByEmail(appId: string, email: string): Promise<User | null> {
    return atomically(() => {
      const userId = this.table.emailClaims.get(keyOf(appId, email));
      return userId === undefined ? null : (this.table.users.get(userId) ?? null);
    });
  }

  getUser(userId: string): Promise<User | null> {
    return atomically(() => this.table.users.get(userId) ?? null);
  }

  listUsers(appId: string, limit: number, cursor: string | null, filter?: UsersFilter): Promise<Page<UserSummary>> {
    return atomically(() => {
      const page = pageOf(
        this.table.users.where((user) => user.appId === appId),
        (user) => `${user.createdAt}#${user.id}`,
        { limit, cursor, shape: sortKeyShapes.users, newestFirst: false },
        (user): UserSummary => ({
          id: user.id,
          email: user.email,
          role: user.role,
          createdAt: user.createdAt,
          twoFactorSetupComplete: user.twoFactorEnabled,
        }),
      );
      // As DynamoDB's FilterExpression: applied to the page `limit` read, the cursor where the read stopped.
      return filter ? { ...page, items: page.items.filter((user) => user.twoFactorSetupComplete === filter.twoFactorEnabled) } : page;
    });
  }

  getUsers(userIds: readonly string[]): Promise<User[]> {
    return atomically(() => userIds.flatMap((id) => this.table.users.get(id) ?? []));
  }

  getEnrollmentCounts(appId: string, fromDay: string): Promise<EnrollmentCounts> {
    return enrollmentCounts(this.table, appId, fromDay);
  }

  recordDeadlineReminder(userId: string, reminder: { enrollBy: string; daysLeft: number }, audit: AuditEvent): Promise<boolean> {
    return recordDeadlineReminder(this.table, userId, reminder, audit);
  }

  getTotpFactor(userId: string): Promise<TotpFactor | null> {
    return atomically(() => this.table.factors.get(userId) ?? null);
  }

  getPendingEnrollment(userId: string): Promise<PendingEnrollment | null> {
    return atomically(() => {
      const stored = this.table.pendingEnrollments.get(userId);
      if (!stored) return null;
      const { claimedStep: _claimedStep, ...pending } = stored;
      return pending;
    });
  }

  putPendingEnrollment(pending: PendingEnrollment): Promise<void> {
    return atomically(() => {
      const { userId, enrollmentId, secret, failedAttempts, expiresAt } = pending;
      this.table.pendingEnrollments.put(userId, { userId, enrollmentId, secret, failedAttempts, expiresAt, claimedStep: null });
    });
  }

  recordEnrollmentFailure(userId: string, enrollmentId: string, maxAttempts: number): Promise<number> {
    return atomically(() => {
      const pending = this.table.pendingEnrollments.get(userId);
      // A pending enrollment already at the limit (or confirmed, replaced or discarded) counts as spent.
      if (pending?.enrollmentId !== enrollmentId || pending.failedAttempts >= maxAttempts) return maxAttempts;
      const failedAttempts = pending.failedAttempts + 1;
      this.table.pendingEnrollments.put(userId, { ...pending, failedAttempts });
      return failedAttempts;
    });
  }

  claimEnrollmentStep(userId: string, enrollmentId: string, step: number): Promise<'claimed' | 'step_used' | 'enrollment_gone'> {
    return atomically(() => {
      const pending = this.table.pendingEnrollments.get(userId);
      const samePending = pending?.enrollmentId === enrollmentId && pending.failedAttempts < this.limits.maxAttemptsPerChallenge;
      if (!pending || !samePending) return 'enrollment_gone';
      if (pending.claimedStep !== null && pending.claimedStep >= step) return 'step_used';
      this.table.pendingEnrollments.put(userId, { ...pending, claimedStep: step });
      return 'claimed';
    });
  }

  releaseEnrollmentStep(userId: string, enrollmentId: string, step: number): Promise<void> {
    return atomically(() => {
      const pending = this.table.pendingEnrollments.get(userId);
      if (pending?.enrollmentId !== enrollmentId || pending.claimedStep !== step) return;
      this.table.pendingEnrollments.put(userId, { ...pending, claimedStep: null });
    });
  }

  getBackupCodeSet(userId: string): Promise<BackupCodeSet | null> {
    return atomically(() => this.table.backupCodes.get(userId) ?? null);
  }

  reserveSecondFactorAttempt(userId: string, seen: FailureCount, next: FailureCount): Promise<boolean> {
    return atomically(() => moveCount(accountCount(this.table, userId), seen, next));
  }

  confirmEnrollment(input: ConfirmEnrollmentInput): Promise<void> {
    return atomically(() => {
      confirmEnrollment(this.table, this.limits, input);
    });
  }

  replaceBackupCodes(input: ReplaceBackupCodesInput): Promise<void> {
    return atomically(() => {
      replaceBackupCodes(this.table, input);
    });
  }

  disableTwoFactor(input: DisableTwoFactorInput): Promise<void> {
    return atomically(() => {
      disableTwoFactor(this.table, input);
    });
  }

  resetTwoFactor(input: ResetTwoFactorInput): Promise<User> {
    return atomically(() => {
      resetTwoFactor(this.table, input);
      // The DynamoDB store reads the user back for its answer (and makes one up only when that read fails).
      const updated = this.table.users.get(input.user.id);
      return updated ?? { ...input.user, twoFactorEnabled: false, twoFactorEnabledAt: null, generation: input.user.generation + 1 };
    });
  }

  unlockUser(user: User, devices: readonly Device[], audit: AuditEvent): Promise<void> {
    return atomically(() => {
      transact([
        { condition: { holds: () => this.table.users.has(user.id), reason: 'user_gone' } },
        ...lockoutsEnded(this.table, user, devices),
        ...(this.table.factors.has(user.id) ? accountFailuresCleared(this.table, user, { kind: 'account' }) : []),
        auditPut(this.table, audit),
      ]);
    });
  }

  recordLockout(audit: AuditEvent, endRemembering: boolean): Promise<void> {
    return atomically(() => {
      const { users } = this.table;
      const targetUserId = audit.targetUserId;
      if (!endRemembering || targetUserId === null) {
        transact([auditUnlessWritten(this.table, audit)]);
        return;
      }
      transact([
        auditUnlessWritten(this.table, audit),
        // Someone is guessing the second factor: no device skips it any more.
        {
          condition: { holds: () => users.has(targetUserId), reason: 'user_gone' },
          write: () =>
            users.update(targetUserId, (user) => {
              user.rememberGeneration += 1;
            }),
        },
      ]);
    });
  }

  getPasswordFailures(appId: string, email: string): Promise<FailureCount | null> {
    return atomically(() => emailCount(this.table, appId, email, 0).read() ?? null);
  }

  readPasswordStep(
    appId: string,
    email: string,
  ): Promise<{ app: AppRuntime | null; userId: string | null; emailFailures: FailureCount | null }> {
    return atomically(() => ({
      app: this.table.apps.get(appId) ?? null,
      userId: this.table.emailClaims.get(keyOf(appId, email)) ?? null,
      emailFailures: emailCount(this.table, appId, email, 0).read() ?? null,
    }));
  }

  readUserWithDevice(
    userId: string,
    deviceId: string | null,
  ): Promise<{ user: User | null; challengeRoom: ChallengeRoom | null; device: Device | null }> {
    return atomically(() => {
      const factor = this.table.factors.get(userId);
      const held = this.table.challenges.where((challenge) => challenge.userId === userId && challenge.purpose === 'login');
      return {
        user: this.table.users.get(userId) ?? null,
        // Here a login challenge is a record of its own, held for the user as long as the factor it was issued for.
        challengeRoom: factor
          ? {
              factorEnabledAt: factor.enabledAt,
              slots: held.map((challenge) => ({ key: challenge.tokenHash, expiresAt: challenge.expiresAt })),
            }
          : null,
        device: deviceId === null ? null : (this.table.devices.get(keyOf(userId, deviceId)) ?? null),
      };
    });
  }

  countPasswordFailure(input: CountPasswordFailureInput): Promise<'counted' | 'count_moved'> {
    return atomically(() => {
      const { countedOn, userId } = input;
      const count =
        countedOn.kind === 'device' && userId !== null
          ? deviceCount(this.table, userId, countedOn.deviceId, 'passwordFailures')
          : emailCount(this.table, input.appId, input.email, input.expiresAt);
      try {
        // Recorded for unknown emails too (no target user), so both refusals make the same writes.
        transact([countMove(count, input.seen, input.next), ...(input.lockout ? [auditUnlessWritten(this.table, input.lockout)] : [])]);
        return 'counted';
      } catch (error) {
        if (error instanceof ConditionFailedError && error.reason === 'count_moved') return 'count_moved';
        throw error;
      }
    });
  }

  movePasswordFailures(appId: string, email: string, seen: FailureCount, next: FailureCount, expiresAt: number): Promise<boolean> {
    return atomically(() => moveCount(emailCount(this.table, appId, email, expiresAt), seen, next));
  }
}
