import { ConditionFailedError, ServiceUnavailableError } from '../../core/errors.js';
import type {
  AppRuntime,
  AuditEvent,
  Challenge,
  ChallengeRoom,
  Device,
  FailureCount,
  Session,
  User,
  UserSummary,
} from '../../core/model.js';
import type { Page, UserRepository, UsersFilter } from '../../core/ports.js';
import type { CountPasswordFailureInput } from '../../core/repository-inputs.js';
import { appRuntimeOf } from './codecs/app.js';
import { claimedUserIdOf, passwordFailuresOf, userOf, userSummaryOf } from './codecs/user.js';
import { challengeItem, deviceCountAttributes, deviceOf, sessionItem } from './codecs/session.js';
import { challengeRoomOf } from './codecs/login-challenge.js';
import { LoginChallengeWrites, readSignInItems } from './login-challenges.js';
import { conditions } from './conditions.js';
import { DynamoEnrollment } from './enrollment.js';
import { keys, usersIndexName } from './keys.js';
import { listShards } from './sharded-listing.js';
import { accountCountAttributes } from './writes.js';

/**
 * Users and their factors, under `USER#<id>` (profile, TOTP factor, pending enrollment, backup codes,
 * devices), with the email claims and the per-email password failure counts. The factor's own changes
 * (enrollment, replacing codes, disable, reset) are in `DynamoFactors`, the enrollment counters and reminders
 * in `DynamoEnrollment`.
 */
export class DynamoUserRepository extends DynamoEnrollment implements UserRepository {
  private readonly loginChallenges = new LoginChallengeWrites(this.table, this.writes.limits.maxAttemptsPerChallenge);

  async createUser(user: User, start: { session: Session; device: Device } | { challenge: Challenge }): Promise<void> {
    const { table } = this.writes;
    await table.transact([
      ...this.writes.userCreation(user),
      ...('session' in start
        ? [{ item: table.put(sessionItem(start.session)) }, ...this.writes.deviceUse({ kind: 'new', device: start.device })]
        : [{ item: table.put(challengeItem(start.challenge)) }]),
    ]);
  }

  async findUserByEmail(appId: string, email: string): Promise<User | null> {
    const claim = await this.table.get(keys.emailClaim(appId, email));
    // An unknown email still reads a profile, so both answers cost the same two reads.
    return this.getUser(claim ? claimedUserIdOf(claim) : 'usr_none');
  }

  async listUsers(appId: string, limit: number, cursor: string | null, filter?: UsersFilter): Promise<Page<UserSummary>> {
    const listing = {
      partitions: keys.usersIndexPartitions(appId),
      indexName: usersIndexName,
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
      newestFirst: false,
      consistentRead: false,
      cursorShape: /^\d{4}-\d\d-\d\dT[\d:.]+Z#usr_[\w-]{22}$/,
      // DynamoDB filters after `Limit`: a filtered page may hold fewer users, and still have a cursor.
      ...(filter ? { filter: { text: 'twoFactorEnabled = :enabled', values: { ':enabled': filter.twoFactorEnabled } } } : {}),
    };
    return listShards(this.table, listing, { limit, cursor }, userSummaryOf);
  }

  async reserveSecondFactorAttempt(userId: string, seen: FailureCount, next: FailureCount): Promise<boolean> {
    return this.writes.moveFailureCount(keys.totpFactor(userId), accountCountAttributes, seen, next, { mustExist: true });
  }

  async getPasswordFailures(appId: string, email: string): Promise<FailureCount | null> {
    const item = await this.table.get(keys.passwordFailures(appId, email));
    return item ? passwordFailuresOf(item) : null;
  }

  async readPasswordStep(
    appId: string,
    email: string,
  ): Promise<{ app: AppRuntime | null; userId: string | null; emailFailures: FailureCount | null }> {
    const [app, claim, failures] = await this.table.getMany([
      keys.app(appId),
      keys.emailClaim(appId, email),
      keys.passwordFailures(appId, email),
    ]);
    return {
      app: app ? appRuntimeOf(app) : null,
      userId: claim ? claimedUserIdOf(claim) : null,
      emailFailures: failures ? passwordFailuresOf(failures) : null,
    };
  }

  async readUserWithDevice(
    userId: string,
    deviceId: string | null,
  ): Promise<{ user: User | null; challengeRoom: ChallengeRoom | null; device: Device | null }> {
    const [{ user, factor }, device] = await Promise.all([
      readSignInItems(this.table, userId),
      deviceId === null ? undefined : this.table.get(keys.device(userId, deviceId)),
    ]);
    return { user: user ? userOf(user) : null, challengeRoom: challengeRoomOf(factor), device: device ? deviceOf(device) : null };
  }

  async countPasswordFailure(input: CountPasswordFailureInput): Promise<'counted' | 'count_moved'> {
    const { countedOn, seen, next, lockout } = input;
    const move =
      countedOn.kind === 'device' && input.userId !== null
        ? this.writes.countMove(keys.device(input.userId, countedOn.deviceId), deviceCountAttributes.passwordFailures, seen, next, {
            mustExist: true,
          })
        : this.writes.countMove(keys.passwordFailures(input.appId, input.email), accountCountAttributes, seen, next, {
            mustExist: false,
            expiresAt: input.expiresAt,
          });
    // A lock of the email's count is stamped on the user's factor, where a right password's login challenge is
    // written (see `completePasswordStep`); without a factor (an unknown email too) the same transaction checks
    // there is none, so every locking write is alike and a factor that appeared meanwhile is not missed.
    const locksAccount = lockout !== null && countedOn.kind === 'account' && next.lockedUntil !== null;
    const count = async (hasFactor: boolean) => {
      if (!lockout) {
        await this.table.write(move);
        return;
      }
      const onFactor =
        !locksAccount || next.lockedUntil === null
          ? []
          : [
              hasFactor && input.userId !== null
                ? this.loginChallenges.passwordLocked(input.userId, next.lockedUntil)
                : this.loginChallenges.noFactor(input.userId ?? 'usr_none'),
            ];
      // Recorded for unknown emails too (no target user), so both refusals make the same writes.
      await this.table.transact([move, this.writes.audit(lockout, 'unless_written'), ...onFactor]);
    };
    try {
      await count(input.userHasFactor).catch((error: unknown) => {
        // The factor was removed or created since the count was read: stamp what is there now.
        if (error instanceof ConditionFailedError && error.reason === 'user_changed') return count(!input.userHasFactor);
        throw error;
      });
      return 'counted';
    } catch (error) {
      if (error instanceof ConditionFailedError && error.reason === 'count_moved') return 'count_moved';
      if (error instanceof ConditionFailedError && error.reason === 'user_changed') throw new ServiceUnavailableError({ cause: error });
      throw error;
    }
  }

  async movePasswordFailures(appId: string, email: string, seen: FailureCount, next: FailureCount, expiresAt: number): Promise<boolean> {
    return this.writes.moveFailureCount(keys.passwordFailures(appId, email), accountCountAttributes, seen, next, {
      mustExist: false,
      expiresAt,
    });
  }

  async unlockUser(user: User, devices: readonly Device[], audit: AuditEvent): Promise<void> {
    const factor = await this.table.get(keys.totpFactor(user.id));
    await this.table.transact([
      { item: this.table.check(keys.user(user.id), conditions.exists), reason: 'user_gone' },
      ...this.writes.lockoutsEnded(user, devices),
      ...(factor ? [this.writes.factorLockoutsEnded(user)] : []),
      this.writes.audit(audit),
    ]);
  }

  async recordLockout(audit: AuditEvent, endRemembering: boolean): Promise<void> {
    const entry = this.writes.audit(audit, 'unless_written');
    if (!endRemembering || !audit.targetUserId) {
      await this.table.write(entry);
      return;
    }
    const rememberingEnds = { text: 'ADD rememberGeneration :one', values: { ':one': 1 } };
    await this.table.transact([
      entry,
      // Someone is guessing the second factor: no device skips it any more.
      { item: this.table.update(keys.user(audit.targetUserId), rememberingEnds, conditions.exists), reason: 'user_gone' },
    ]);
  }
}
