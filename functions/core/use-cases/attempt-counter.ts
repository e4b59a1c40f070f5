import { ServiceUnavailableError, TooManyAttemptsError } from '../errors.js';
import { lockoutSeconds } from '../lockout.js';
import type { Clock, FailureCount } from '../model.js';

/** An attempt counted against an account before its secret (a code, a password) is checked. */
export interface CountedAttempt {
  /** The count as the attempt found it. */
  seen: FailureCount;
  /** The count this attempt wrote: one more failure, and the lock it earns should it fail. */
  next: FailureCount;
  /** The lockout this attempt has already put in place, should it fail (0: none). */
  lockSeconds: number;
}

/** Moves a failure count from `seen` to `next` in one conditional write; false when another request moved it first. */
export type MoveCount = (seen: FailureCount, next: FailureCount) => Promise<boolean>;

/** How often a request re-reads the count when parallel attempts keep moving it first. */
const maxReservationRaces = 25;

/**
 * Counts an attempt before its secret is checked: the consecutive-failure count moves up by one (and, from
 * the 10th on, the lock is set) in one conditional write, so parallel guesses are counted one by one and
 * never more than the lockout allows get checked. A success clears the count afterwards. Answers 429
 * while the lock holds. `read` returning null means there is nothing to count against.
 */
export async function reserveCountedAttempt(clock: Clock, read: () => Promise<FailureCount>, move: MoveCount): Promise<CountedAttempt>;
export async function reserveCountedAttempt(
  clock: Clock,
  read: () => Promise<FailureCount | null>,
  move: MoveCount,
): Promise<CountedAttempt | null>;
export async function reserveCountedAttempt(
  clock: Clock,
  read: () => Promise<FailureCount | null>,
  move: MoveCount,
): Promise<CountedAttempt | null> {
  for (let race = 0; race < maxReservationRaces; race++) {
    const seen = await read();
    if (!seen) return null;
    const now = clock();
    if (seen.lockedUntil !== null && seen.lockedUntil > now) {
      throw new TooManyAttemptsError(Math.ceil((seen.lockedUntil - now) / 1000));
    }
    const failedAttempts = seen.failedAttempts + 1;
    const lockSeconds = lockoutSeconds(failedAttempts);
    const next = { failedAttempts, lockedUntil: lockSeconds > 0 ? now + lockSeconds * 1000 : null };
    if (await move({ failedAttempts: seen.failedAttempts, lockedUntil: seen.lockedUntil }, next)) return { seen, next, lockSeconds };
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * (race + 1)));
  }
  throw new ServiceUnavailableError();
}

/**
 * Returns the count to what it was before `attempt`, unless another request has moved it since. For an
 * attempt whose secret was never judged (a dependency failed first). Best effort: if the dependency is
 * still failing, the attempt stays counted.
 */
export async function giveBackCountedAttempt(attempt: CountedAttempt, move: MoveCount): Promise<void> {
  await move(attempt.next, { failedAttempts: attempt.seen.failedAttempts, lockedUntil: attempt.seen.lockedUntil }).catch(() => false);
}
