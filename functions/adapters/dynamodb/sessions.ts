import { ConditionFailedError } from '../../core/errors.js';
import type { AuditEvent, Challenge, Device, FailureCount, Session, User } from '../../core/model.js';
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
import { conditions } from './conditions.js';
import { keys } from './keys.js';
import type { Item } from './item-reader.js';
import type { Table } from './table.js';
import { accountCountAttributes, type SharedWrites } from './writes.js';

/**
 * Sessions and login challenges (each under its token's hash) and devices (in the user's partition), with
 * the writes that issue a session: a login's second step, a step-up, "sign out everywhere".
 */
export class DynamoSessionRepository implements SessionRepository {
  constructor(private readonly writes: SharedWrites) {}

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

  async readLoginAttempt(input: ReadLoginAttemptInput): Promise<LoginAttempt> {
    const { userId } = input;
    const [app, challenge, user, factor, device, codes] = await this.table.getMany([
      keys.app(input.appId),
      keys.challenge(input.challengeHash),
      keys.user(userId),
      keys.totpFactor(userId),
      ...(input.deviceId === null ? [] : [keys.device(userId, input.deviceId)]),
      ...(input.backupCodes ? [keys.backupCodes(userId)] : []),
    ]);
    const deviceItem = input.deviceId === null ? undefined : device;
    const codesItem = input.deviceId === null ? device : codes;
    return {
      app: app ? appRuntimeOf(app) : null,
      challenge: challenge ? challengeOf(input.challengeHash, challenge) : null,
      user: user ? userOf(user) : null,
      factor: factor ? totpFactorOf(userId, factor) : null,
      device: deviceItem ? deviceOf(deviceItem) : null,
      backupCodes: input.backupCodes && codesItem ? backupCodesOf(userId, codesItem) : null,
    };
  }

  async countLoginFailure(input: CountLoginFailureInput): Promise<'counted' | 'count_moved' | 'challenge_spent'> {
    const { userId, countedOn, lockout } = input;
    const counted = { text: 'ADD failedAttempts :one', values: { ':one': 1 } };
    const [key, attributes] =
      countedOn.kind === 'account'
        ? [keys.totpFactor(userId), accountCountAttributes]
        : [keys.device(userId, countedOn.deviceId), deviceCountAttributes.secondFactorFailures];
    const rememberingEnds = { text: 'ADD rememberGeneration :one', values: { ':one': 1 } };
    try {
      await this.table.transact([
        {
          item: this.table.update(
            keys.challenge(input.challenge.tokenHash),
            counted,
            conditions.challengeHasAttemptsLeft(this.maxAttempts),
          ),
          reason: 'challenge_spent',
        },
        this.writes.countMove(key, attributes, input.seen, input.next, { mustExist: true }),
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

  async completeLoginWithTotp(input: CompleteLoginWithTotpInput): Promise<void> {
    const { countedOn, now } = input;
    // No check of the user's generation: a reset or disable deletes the factor (which this write needs as
    // judged), and a session minted under an older generation is dead on arrival (`checkSession`).
    await this.table.transact([
      this.writes.spendChallenge(input.challenge),
      this.writes.acceptStep(input.user.id, input.step, countedOn, { now, factor: input.factor }),
      { item: this.table.put(sessionItem(input.session)) },
      ...this.writes.deviceUse(input.device, countedOn.kind === 'device' ? { count: 'secondFactorFailures', at: now } : undefined),
      ...input.audits.map((audit) => this.writes.audit(audit)),
    ]);
  }

  async completeLoginWithBackupCode(input: CompleteLoginWithBackupCodeInput): Promise<void> {
    const { user, countedOn, now } = input;
    await this.table.transact([
      // As for a code: a reset, disable or regeneration replaces or deletes the set this code is spent from.
      this.writes.spendChallenge(input.challenge),
      this.writes.spendBackupCode(user.id, input.setId, input.codeHash),
      ...this.writes.accountFailuresCleared(user, countedOn, now),
      { item: this.table.put(sessionItem(input.session)) },
      ...this.writes.deviceUse(input.device, countedOn.kind === 'device' ? { count: 'secondFactorFailures', at: now } : undefined),
      ...input.audits.map((audit) => this.writes.audit(audit)),
    ]);
  }
}
