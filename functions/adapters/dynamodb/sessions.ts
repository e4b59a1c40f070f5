import { ConditionFailedError, ServiceUnavailableError } from '../../core/errors.js';
import type { AuditEvent, Challenge, ChallengeRoom, Device, FailureCount, Session, User } from '../../core/model.js';
import type { DeviceCount, DeviceUse, LoginAttempt, SessionRepository } from '../../core/ports.js';
import type {
  CompleteLoginWithBackupCodeInput,
  CompleteLoginWithTotpInput,
  CompletePasswordStepInput,
  CountLoginFailureInput,
  ReadLoginAttemptInput,
  StepUpInput,
} from '../../core/repository-inputs.js';
import { challengeItem, challengeOf, deviceCountAttributes, deviceOf, sessionItem, sessionOf } from './codecs/session.js';
import { appRuntimeOf } from './codecs/app.js';
import { backupCodesOf, totpFactorOf, userOf } from './codecs/user.js';
import { challengeRoomOf, loginChallengeOf } from './codecs/login-challenge.js';
import { LoginChallengeWrites, readSignInItems } from './login-challenges.js';
import { conditions } from './conditions.js';
import { keys } from './keys.js';
import type { Item } from './item-reader.js';
import type { Table, Write } from './table.js';
import type { SharedWrites } from './writes.js';

/**
 * Sessions and enrollment challenges (each under its token's hash), login challenges (in the user's factor,
 * login-challenges.ts) and devices (in the user's partition), with the writes that issue a session: a login's
 * second step, a step-up, "sign out everywhere".
 */
export class DynamoSessionRepository implements SessionRepository {
  private readonly challenges: LoginChallengeWrites;

  constructor(private readonly writes: SharedWrites) {
    this.challenges = new LoginChallengeWrites(writes.table, writes.limits.maxAttemptsPerChallenge);
  }

  private get table(): Table {
    return this.writes.table;
  }

  private get maxAttempts(): number {
    return this.writes.limits.maxAttemptsPerChallenge;
  }

  async issueSession(session: Session, device: DeviceUse): Promise<void> {
    await this.table.transact([{ item: this.table.put(sessionItem(session)) }, ...this.writes.deviceUse(device)]);
  }

  async getSession(tokenHash: string): Promise<Session | null> {
    const item = await this.table.get(keys.session(tokenHash));
    return item ? sessionOf(tokenHash, item) : null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.table.write({ item: this.table.delete(keys.session(tokenHash)) });
  }

  async putChallenge(challenge: Challenge): Promise<void> {
    if (challenge.purpose === 'login') {
      await this.challenges.put(challenge);
      return;
    }
    await this.table.write({ item: this.table.put(challengeItem(challenge)) });
  }

  async getChallenge(tokenHash: string): Promise<Challenge | null> {
    const item = await this.table.get(keys.challenge(tokenHash));
    return item ? challengeOf(tokenHash, item) : null;
  }

  async getDevice(userId: string, deviceId: string): Promise<Device | null> {
    const item = await this.table.get(keys.device(userId, deviceId));
    return item ? deviceOf(item) : null;
  }

  async listDevices(userId: string): Promise<Device[]> {
    const devices: Device[] = [];
    let start: Item | undefined;
    do {
      const page = await this.table.query({
        KeyConditionExpression: 'pk = :partition AND begins_with(sk, :devices)',
        ExpressionAttributeValues: { ':partition': keys.user(userId).pk, ':devices': keys.devicePrefix() },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      devices.push(...page.items.map(deviceOf));
      start = page.lastKey;
    } while (start);
    return devices;
  }

  async forgetDevice(user: User, deviceId: string, audit: AuditEvent): Promise<boolean> {
    try {
      await this.table.transact([
        { item: this.table.delete(keys.device(user.id, deviceId), conditions.deviceLive(user.deviceGeneration)), reason: 'device_changed' },
        this.writes.audit(audit),
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailedError) return false;
      throw error;
    }
  }

  async moveDeviceFailures(userId: string, deviceId: string, count: DeviceCount, seen: FailureCount, next: FailureCount): Promise<boolean> {
    return this.writes.moveFailureCount(keys.device(userId, deviceId), deviceCountAttributes[count], seen, next, { mustExist: true });
  }

  async signOutEverywhere(user: User, audit: AuditEvent): Promise<void> {
    const everywhere = { text: 'ADD generation :one, deviceGeneration :one', values: { ':one': 1 } };
    await this.table.transact([
      { item: this.table.update(keys.user(user.id), everywhere, conditions.sameGeneration(user.generation)), reason: 'user_changed' },
      this.writes.audit(audit),
    ]);
  }

  async stepUp(input: StepUpInput): Promise<void> {
    const { user, proof } = input;
    const stamped = {
      text: 'SET secondFactorAt = :at, assurance = :twoFactor',
      values: { ':at': input.secondFactorAt, ':twoFactor': 'two_factor' },
    };
    await this.table.transact([
      this.writes.userIsEnrolled(user),
      ...('step' in proof
        ? [this.writes.acceptStep(user.id, proof.step, input.countedOn)]
        : [
            this.writes.spendBackupCode(user.id, proof.setId, proof.codeHash),
            ...this.writes.accountFailuresCleared(user, input.countedOn),
          ]),
      {
        item: this.table.update(keys.session(input.session.tokenHash), stamped, conditions.sameGeneration(user.generation)),
        reason: 'user_changed',
      },
      ...(input.audit ? [this.writes.audit(input.audit)] : []),
    ]);
  }

  async completePasswordStep(input: CompletePasswordStepInput): Promise<void> {
    const { user, countedOn, now, start } = input;
    if ('challenge' in start) {
      if (start.challenge.purpose === 'login') return this.issueLoginChallenge(input, start);
      await this.table.transact([
        this.writes.passwordCountCleared(user, countedOn, now, user.deviceGeneration),
        { item: this.table.put(challengeItem(start.challenge)) },
      ]);
      return;
    }
    // A session to the presented device clears its password count with the device's own update.
    const onDevice = countedOn.kind === 'device' && start.device.kind === 'known' && start.device.device.id === countedOn.deviceId;
    await this.table.transact([
      ...(onDevice ? [] : [this.writes.passwordCountCleared(user, countedOn, now, user.deviceGeneration)]),
      { item: this.table.put(sessionItem(start.session)) },
      ...this.writes.deviceUse(start.device, onDevice ? { count: 'passwordFailures', at: now } : undefined),
    ]);
  }

  /**
   * Puts a login challenge in the user's factor: one conditional write of that item when the email's count
   * was seen clear (a lock of it since is stamped on the factor), else in one transaction with clearing the
   * count it was made against. Parallel logins that filled the factor's challenges since it was read make it
   * read the factor again.
   */
  private async issueLoginChallenge(
    input: CompletePasswordStepInput,
    start: { challenge: Challenge; room: ChallengeRoom | null; seen: FailureCount },
  ): Promise<void> {
    const { user, countedOn, now } = input;
    const { challenge, seen } = start;
    const seenClear = countedOn.kind === 'account' && seen.failedAttempts === 0 && seen.lockedUntil === null;
    let room = start.room;
    for (let attempt = 1; ; attempt++) {
      if (!room) throw new ConditionFailedError('user_changed');
      const issue = this.challenges.issue(challenge, room, seenClear ? now : null);
      try {
        if (seenClear) await this.table.write(issue);
        else await this.table.transact([this.writes.passwordCountCleared(user, countedOn, now, user.deviceGeneration), issue]);
        return;
      } catch (error) {
        if (!(error instanceof ConditionFailedError && error.reason === 'challenges_full')) throw error;
        if (attempt >= maxChallengeRoomReads) throw new ServiceUnavailableError({ cause: error });
        room = challengeRoomOf(await this.table.get(keys.totpFactor(user.id)));
      }
    }
  }

  async readLoginAttempt(input: ReadLoginAttemptInput): Promise<LoginAttempt> {
    const { userId } = input;
    const [[app, device, codes], { user, factor }] = await Promise.all([
      this.table.getMany([
        keys.app(input.appId),
        ...(input.deviceId === null ? [] : [keys.device(userId, input.deviceId)]),
        ...(input.backupCodes ? [keys.backupCodes(userId)] : []),
      ]),
      readSignInItems(this.table, userId),
    ]);
    const deviceItem = input.deviceId === null ? undefined : device;
    const codesItem = input.deviceId === null ? device : codes;
    const appOfUser = typeof user?.appId === 'string' ? user.appId : input.appId;
    return {
      app: app ? appRuntimeOf(app) : null,
      challenge: loginChallengeOf(factor, input.challengeHash, appOfUser, userId),
      user: user ? userOf(user) : null,
      factor: factor ? totpFactorOf(userId, factor) : null,
      device: deviceItem ? deviceOf(deviceItem) : null,
      backupCodes: input.backupCodes && codesItem ? backupCodesOf(userId, codesItem) : null,
    };
  }

  async countLoginFailure(input: CountLoginFailureInput): Promise<'counted' | 'count_moved' | 'challenge_spent'> {
    const { userId, countedOn, lockout, challenge } = input;
    const rememberingEnds = { text: 'ADD rememberGeneration :one', values: { ':one': 1 } };
    // The challenge and the account's count are both on the factor: one write moves both.
    const counted =
      countedOn.kind === 'account'
        ? [this.challenges.failureCounted(challenge, input)]
        : [
            this.challenges.failureCounted(challenge),
            this.writes.countMove(
              keys.device(userId, countedOn.deviceId),
              deviceCountAttributes.secondFactorFailures,
              input.seen,
              input.next,
              {
                mustExist: true,
              },
            ),
          ];
    try {
      const [single, ...more] = counted;
      if (!lockout && single && more.length === 0) {
        await this.table.write(single);
        return 'counted';
      }
      await this.table.transact([
        ...counted,
        // Someone is guessing the second factor: the lockout is a security event, and no device skips it any more.
        ...(lockout
          ? [
              this.writes.audit(lockout, 'unless_written'),
              { item: this.table.update(keys.user(userId), rememberingEnds, conditions.exists), reason: 'challenge_spent' as const },
            ]
          : []),
      ]);
      return 'counted';
    } catch (error) {
      if (error instanceof ConditionFailedError && (error.reason === 'count_moved' || error.reason === 'challenge_spent'))
        return error.reason;
      throw error;
    }
  }

  /**
   * One write of the factor spends the challenge and the step (and clears the account's count, refused while
   * it is locked). Counted on the account, with a new device and nothing to audit, the session and the device
   * are written beside it (see `Table.writeAlongside`); otherwise all in one transaction, with the device's use
   * refused while its count is locked.
   */
  async completeLoginWithTotp(input: CompleteLoginWithTotpInput): Promise<void> {
    const { countedOn, now, device } = input;
    // No check of the user's generation: a reset or disable deletes the factor (and the challenge in it), and a
    // session minted under an older generation is dead on arrival (`checkSession`).
    const spend = this.challenges.spend(input.challenge, {
      step: { step: input.step, factorEnabledAt: input.factor.enabledAt },
      ...(countedOn.kind === 'account' ? { clearAccountAt: now } : {}),
    });
    const session: Write = { item: this.table.put(sessionItem(input.session)) };
    if (countedOn.kind === 'account' && device.kind === 'new' && input.audits.length === 0) {
      await this.table.writeAlongside(
        spend,
        [session, ...this.writes.deviceUse(device)],
        [keys.session(input.session.tokenHash), keys.device(device.device.userId, device.device.id)],
      );
      return;
    }
    await this.table.transact([
      spend,
      session,
      ...this.writes.deviceUse(device, countedOn.kind === 'device' ? { count: 'secondFactorFailures', at: now } : undefined),
      ...input.audits.map((audit) => this.writes.audit(audit)),
    ]);
  }

  async completeLoginWithBackupCode(input: CompleteLoginWithBackupCodeInput): Promise<void> {
    const { user, countedOn, now } = input;
    await this.table.transact([
      // As for a code: a reset, disable or regeneration replaces or deletes the set this code is spent from.
      this.challenges.spend(input.challenge, countedOn.kind === 'account' ? { clearAccountAt: now } : {}),
      this.writes.spendBackupCode(user.id, input.setId, input.codeHash),
      { item: this.table.put(sessionItem(input.session)) },
      ...this.writes.deviceUse(input.device, countedOn.kind === 'device' ? { count: 'secondFactorFailures', at: now } : undefined),
      ...input.audits.map((audit) => this.writes.audit(audit)),
    ]);
  }
}

/** Reads of a factor a login makes to find room for its challenge when parallel logins keep filling it. */
const maxChallengeRoomReads = 5;
