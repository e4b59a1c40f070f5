import type { Challenge, ChallengeRoom, FailureCount } from '../../core/model.js';
import {
  challengeSlotIn,
  challengeSlotKey,
  challengeSlotValue,
  challengesAttribute,
  passwordLockAttribute,
} from './codecs/login-challenge.js';
import { conditions } from './conditions.js';
import { keys } from './keys.js';
import type { Item } from './item-reader.js';
import { and, type Expression, type Table, type Write } from './table.js';
import { accountCountAttributes } from './writes.js';

/**
 * A login drops the challenges expired in its user's factor and, when more than this many are live, the
 * oldest; a user's normal sign-in holds one, and the item stays under the 1 KB one write unit covers.
 * A burst of parallel logins (50 in the security suite) each keeps its own challenge.
 */
const maxHeldChallenges = 64;
/** No login adds a challenge to a factor holding this many (parallel logins since it was read): it reads again. */
const maxChallengesPerFactor = 100;

const challengesName = { '#challenges': challengesAttribute };

/** An update's clauses, joined into one expression (each clause at most once, as DynamoDB requires). */
function clauses(parts: { set?: string[]; remove?: string[] }, names: Record<string, string>, values: Item): Expression {
  const text = [parts.set?.length ? `SET ${parts.set.join(', ')}` : '', parts.remove?.length ? `REMOVE ${parts.remove.join(', ')}` : '']
    .filter((clause) => clause.length > 0)
    .join(' ');
  return { text, names, ...(Object.keys(values).length > 0 ? { values } : {}) };
}

/**
 * The writes of login challenges on the factor item (see codecs/login-challenge.ts), each one conditional
 * write of that item, so a login, a wrong code and a verify cost one write unit each.
 */
export class LoginChallengeWrites {
  constructor(
    private readonly table: Table,
    private readonly maxAttempts: number,
  ) {}

  /** The challenge still has attempts left (it is spent by removing it; a used-up one stays until it expires). */
  private live(challenge: Challenge): Expression {
    return {
      text: 'attribute_exists(#challenges.#challenge) AND #challenges.#challenge.a < :maxAttempts',
      names: { ...challengesName, '#challenge': challengeSlotKey(challenge.tokenHash) },
      values: { ':maxAttempts': this.maxAttempts },
    };
  }

  private spentOrUsedUp(found: Item | undefined, challenge: Challenge): boolean {
    const slot = challengeSlotIn(found, challenge.tokenHash);
    return !slot || typeof slot.a !== 'number' || slot.a >= this.maxAttempts;
  }

  /**
   * Puts a login's challenge in the factor `room` describes, dropping the challenges expired there and the
   * oldest beyond the limit. With `passwordUnlockedAt`, only while no lock of the email's password count is
   * stamped on the factor (`count_locked`). `user_changed`: the factor was replaced or removed;
   * `challenges_full`: parallel logins filled it since it was read (read it again).
   */
  issue(challenge: Challenge, room: ChallengeRoom, passwordUnlockedAt: number | null): Write {
    const key = keys.totpFactor(challenge.userId);
    const slot = challengeSlotValue(challenge);
    const checks = [conditions.factorIs(room.factorEnabledAt)];
    if (passwordUnlockedAt !== null) checks.push(conditions.notLocked(passwordLockAttribute, passwordUnlockedAt));
    let change: Expression;
    if (room.slots === null) {
      change = {
        text: 'SET #challenges = :challenges',
        names: challengesName,
        values: { ':challenges': { [challengeSlotKey(challenge.tokenHash)]: slot } },
      };
      checks.push({ text: 'attribute_not_exists(#challenges)', names: challengesName });
    } else {
      const nowSeconds = Math.floor(Date.parse(challenge.createdAt) / 1000);
      const live = room.slots.filter((held) => held.expiresAt > nowSeconds).sort((a, b) => a.expiresAt - b.expiresAt);
      const dropped = [
        ...room.slots.filter((held) => held.expiresAt <= nowSeconds),
        ...live.slice(0, Math.max(0, live.length - (maxHeldChallenges - 1))),
      ].map((held) => held.key);
      const names: Record<string, string> = { ...challengesName, '#issued': challengeSlotKey(challenge.tokenHash) };
      dropped.forEach((dropKey, index) => (names[`#dropped${index}`] = dropKey));
      change = clauses({ set: ['#challenges.#issued = :slot'], remove: dropped.map((_, index) => `#challenges.#dropped${index}`) }, names, {
        ':slot': slot,
      });
      // A login that read the map as it is always fits (its write drops what it must); parallel ones that added
      // since fit up to the limit, then read again.
      checks.push({
        text: '(size(#challenges) < :room OR size(#challenges) <= :seen)',
        names: challengesName,
        values: { ':room': maxChallengesPerFactor, ':seen': room.slots.length },
      });
    }
    return {
      item: this.table.update(key, change, and(...checks)),
      reason: (found) => {
        if (found?.enabledAt !== room.factorEnabledAt) return 'user_changed';
        const lock = found[passwordLockAttribute];
        if (passwordUnlockedAt !== null && typeof lock === 'number' && lock > passwordUnlockedAt) return 'count_locked';
        return 'challenges_full';
      },
    };
  }

  /**
   * One more wrong code on the challenge (`challenge_spent` once it has none left, or is gone); with `account`,
   * the account's count moved from `seen` to `next` in the same write (`count_moved` when another request
   * moved it first).
   */
  failureCounted(challenge: Challenge, account?: { seen: FailureCount; next: FailureCount }): Write {
    const names: Record<string, string> = {};
    const values: Item = { ':one': 1 };
    const set: string[] = [];
    const remove: string[] = [];
    const checks = [this.live(challenge)];
    if (account) {
      const { seen, next } = account;
      set.push('failedAttempts = :failures');
      values[':failures'] = next.failedAttempts;
      if (next.lockedUntil === null) remove.push('lockedUntil');
      else {
        set.push('lockedUntil = :lock');
        values[':lock'] = next.lockedUntil;
      }
      checks.push(conditions.countIs(accountCountAttributes, seen, false));
    }
    // SET, not ADD: ADD applies to top-level attributes only.
    set.push('#challenges.#challenge.a = #challenges.#challenge.a + :one');
    const change = clauses({ set, remove }, { ...names, ...challengesName, '#challenge': challengeSlotKey(challenge.tokenHash) }, values);
    return {
      item: this.table.update(keys.totpFactor(challenge.userId), change, and(...checks)),
      reason: (found) => (this.spentOrUsedUp(found, challenge) ? 'challenge_spent' : 'count_moved'),
    };
  }

  /**
   * Spends the challenge: with `step`, also that time step of the factor enabled at `factorEnabledAt` (a
   * reset and a new enrollment replace it); with `clearAccountAt`, clears the account's count only while it
   * is not locked at that time. Reasons: `user_changed`, `challenge_spent`, `step_used`, `count_locked`.
   */
  spend(challenge: Challenge, options: { step?: { step: number; factorEnabledAt: string }; clearAccountAt?: number }): Write {
    const { step, clearAccountAt } = options;
    const set: string[] = [];
    const remove = ['#challenges.#challenge'];
    const values: Item = {};
    const checks = [this.live(challenge)];
    if (step) {
      set.push('lastAcceptedStep = :step');
      values[':step'] = step.step;
      checks.push(conditions.factorIs(step.factorEnabledAt), conditions.stepIsNew(step.step));
    }
    if (clearAccountAt !== undefined) {
      set.push('failedAttempts = :zero');
      remove.push('lockedUntil');
      values[':zero'] = 0;
      checks.push(conditions.notLocked(accountCountAttributes.lockedUntil, clearAccountAt));
    }
    const change = clauses({ set, remove }, { ...challengesName, '#challenge': challengeSlotKey(challenge.tokenHash) }, values);
    return {
      item: this.table.update(keys.totpFactor(challenge.userId), change, and(...checks)),
      reason: (found) => {
        // The factor is gone (a reset or disable), and the challenge with it.
        if (!found) return 'user_changed';
        if (this.spentOrUsedUp(found, challenge)) return 'challenge_spent';
        if (step && found.enabledAt !== step.factorEnabledAt) return 'user_changed';
        if (step && !(typeof found.lastAcceptedStep === 'number' && found.lastAcceptedStep < step.step)) return 'step_used';
        return 'count_locked';
      },
    };
  }

  /** Stores `challenge` in its user's factor as it is (its attempts included), whatever the factor holds. */
  async put(challenge: Challenge): Promise<void> {
    const key = keys.totpFactor(challenge.userId);
    const { exists } = conditions;
    const map = { text: 'SET #challenges = if_not_exists(#challenges, :none)', names: challengesName, values: { ':none': {} } };
    await this.table.write({ item: this.table.update(key, map, exists), reason: 'user_changed' });
    const slot = {
      text: 'SET #challenges.#challenge = :slot',
      names: { ...challengesName, '#challenge': challengeSlotKey(challenge.tokenHash) },
      values: { ':slot': challengeSlotValue(challenge) },
    };
    await this.table.write({ item: this.table.update(key, slot, exists), reason: 'user_changed' });
  }

  /** That the user has no factor (a lock of the email's count then needs no stamp); `user_changed` when one appeared. */
  noFactor(userId: string): Write {
    return { item: this.table.check(keys.totpFactor(userId), conditions.isNew), reason: 'user_changed' };
  }

  /** Stamps a lock of the email's password count on the user's factor (see `issue`). */
  passwordLocked(userId: string, lockedUntil: number): Write {
    const change = { text: `SET ${passwordLockAttribute} = :passwordLock`, values: { ':passwordLock': lockedUntil } };
    return { item: this.table.update(keys.totpFactor(userId), change, conditions.exists), reason: 'user_changed' };
  }
}

/** A user's profile and TOTP factor items, in one Query (see `keys.signInRange`); an unknown id reads none. */
export async function readSignInItems(table: Table, userId: string): Promise<{ user: Item | undefined; factor: Item | undefined }> {
  const range = keys.signInRange(userId);
  const { items } = await table.query({
    KeyConditionExpression: 'pk = :partition AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':partition': range.pk, ':from': range.from, ':to': range.to },
    ConsistentRead: true,
  });
  const bySortKey = (sk: string) => items.find((item) => item.sk === sk);
  return { user: bySortKey(keys.user(userId).sk), factor: bySortKey(keys.totpFactor(userId).sk) };
}
