import type { AuditEvent, Challenge, Device, FailureCount, Session, User, UserSummary } from '../../core/model.js';
import type { Page, UserRepository } from '../../core/ports.js';
import { claimedUserIdOf, passwordFailuresOf, userSummaryOf } from './codecs/user.js';
import { challengeItem, sessionItem } from './codecs/session.js';
import { conditions } from './conditions.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { DynamoFactors } from './factors.js';
import { keys, usersIndexName } from './keys.js';
import { accountCountAttributes } from './writes.js';

/**
 * Users and their factors, under `USER#<id>` (profile, TOTP factor, pending enrollment, backup codes,
 * devices), with the email claims and the per-email password failure counts. The factor's own changes
 * (enrollment, replacing codes, disable, reset) are in `DynamoFactors`.
 */
export class DynamoUserRepository extends DynamoFactors implements UserRepository {
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

  async listUsers(appId: string, limit: number, cursor: string | null): Promise<Page<UserSummary>> {
    const start = cursor === null ? undefined : decodeCursor(cursor, /^\d{4}-\d\d-\d\dT[\d:.]+Z#usr_[\w-]{22}$/);
    const partition = keys.usersIndexPartition(appId);
    const page = await this.table.query({
      IndexName: usersIndexName,
      KeyConditionExpression: 'gsi1pk = :partition',
      ExpressionAttributeValues: { ':partition': partition },
      Limit: limit,
      ...(start ? { ExclusiveStartKey: { ...keys.user(start.slice(start.indexOf('#') + 1)), gsi1pk: partition, gsi1sk: start } } : {}),
    });
    const lastSortKey = page.lastKey?.gsi1sk;
    return { items: page.items.map(userSummaryOf), nextCursor: typeof lastSortKey === 'string' ? encodeCursor(lastSortKey) : null };
  }

  async reserveSecondFactorAttempt(userId: string, seen: FailureCount, next: FailureCount): Promise<boolean> {
    return this.writes.moveFailureCount(keys.totpFactor(userId), accountCountAttributes, seen, next, { mustExist: true });
  }

  async getPasswordFailures(appId: string, email: string): Promise<FailureCount | null> {
    const item = await this.table.get(keys.passwordFailures(appId, email));
    return item ? passwordFailuresOf(item) : null;
  }

  async movePasswordFailures(appId: string, email: string, seen: FailureCount, next: FailureCount, expiresAt: number): Promise<boolean> {
    return this.writes.moveFailureCount(keys.passwordFailures(appId, email), accountCountAttributes, seen, next, {
      mustExist: false,
      expiresAt,
    });
  }

  async clearPasswordFailures(appId: string, email: string): Promise<void> {
    await this.table.write({ item: this.table.delete(keys.passwordFailures(appId, email)) });
  }

  async unlockUser(user: User, devices: readonly Device[], audit: AuditEvent): Promise<void> {
    const factor = await this.table.get(keys.totpFactor(user.id));
    await this.table.transact([
      { item: this.table.check(keys.user(user.id), conditions.exists), reason: 'user_gone' },
      ...this.writes.lockoutsEnded(user, devices),
      ...(factor ? this.writes.accountFailuresCleared(user, { kind: 'account' }) : []),
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
