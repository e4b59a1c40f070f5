import { ConditionFailedError } from '../../core/errors.js';
import type { AuditEvent, Challenge, Device, FailureCount, Session, User } from '../../core/model.js';
import type { CountedOn, DeviceCount, DeviceUse, SessionRepository } from '../../core/ports.js';
import { challengeItem, challengeOf, deviceCountAttributes, deviceOf, sessionItem, sessionOf } from './codecs/session.js';
import { backupCodesOf } from './codecs/user.js';
import { conditions } from './conditions.js';
import { keys } from './keys.js';
import type { Item } from './item-reader.js';
import type { Table } from './table.js';
import type { SharedWrites } from './writes.js';

/**
 * Sessions and login challenges (each under its token's hash) and devices (in the user's partition), with
 * the writes that issue a session: a login's second step, a step-up, "sign out everywhere".
 */
export class DynamoSessionRepository implements SessionRepository {
  constructor(private readonly writes: SharedWrites) {}

  private get table(): Table {
    return this.writes.table;
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

  async reserveChallengeAttempt(tokenHash: string, maxAttempts: number): Promise<number> {
    const counted = { text: 'ADD failedAttempts :one', values: { ':one': 1 } };
    const attributes = await this.table.write({
      item: this.table.update(keys.challenge(tokenHash), counted, conditions.challengeHasAttemptsLeft(maxAttempts)),
      reason: 'challenge_spent',
    });
    return typeof attributes?.failedAttempts === 'number' ? attributes.failedAttempts : maxAttempts;
  }

  async releaseChallengeAttempt(tokenHash: string): Promise<void> {
    const givenBack = { text: 'ADD failedAttempts :minusOne', values: { ':minusOne': -1 } };
    await this.table.writeUnlessRefused(this.table.update(keys.challenge(tokenHash), givenBack, conditions.challengeHasAttemptsUsed));
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

  async stepUp(input: {
    user: User;
    session: Session;
    secondFactorAt: number;
    proof: { step: number } | { setId: string; codeHash: string };
    countedOn: CountedOn;
    audit: AuditEvent | null;
  }): Promise<void> {
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

  async completeLoginWithTotp(input: {
    challenge: Challenge;
    user: User;
    step: number;
    session: Session;
    device: DeviceUse;
    countedOn: CountedOn;
    audits: AuditEvent[];
  }): Promise<void> {
    await this.table.transact([
      this.writes.spendChallenge(input.challenge),
      this.writes.userIsEnrolled(input.user),
      this.writes.acceptStep(input.user.id, input.step, input.countedOn),
      { item: this.table.put(sessionItem(input.session)) },
      ...this.writes.deviceUse(input.device),
      ...input.audits.map((audit) => this.writes.audit(audit)),
    ]);
  }

  async completeLoginWithBackupCode(input: {
    challenge: Challenge;
    user: User;
    setId: string;
    codeHash: string;
    session: Session;
    device: DeviceUse;
    countedOn: CountedOn;
    audits: AuditEvent[];
  }): Promise<number | null> {
    const { user } = input;
    await this.table.transact([
      this.writes.spendChallenge(input.challenge),
      this.writes.userIsEnrolled(user),
      this.writes.spendBackupCode(user.id, input.setId, input.codeHash),
      ...this.writes.accountFailuresCleared(user, input.countedOn),
      { item: this.table.put(sessionItem(input.session)) },
      ...this.writes.deviceUse(input.device),
      ...input.audits.map((audit) => this.writes.audit(audit)),
    ]);
    // The login is committed: failing to count the codes left must not turn it into a 503 whose session
    // nobody receives, with the challenge and the code already spent.
    const codes = await this.table.get(keys.backupCodes(user.id)).catch(() => null);
    if (codes === null) return null;
    return codes ? backupCodesOf(user.id, codes).remainingHashes.length : 0;
  }
}
