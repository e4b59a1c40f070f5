import { DomainError, InvalidCodeError, SecretUnreadableError, ServiceUnavailableError, TooManyAttemptsError } from '../errors.js';
import { attemptsBeforeLockout } from '../lockout.js';
import { type CountedAttempt, giveBackCountedAttempt, reserveCountedAttempt } from './attempt-counter.js';
import { auditEvent } from './common.js';
import type { SealedSecret, TotpFactor, User } from '../model.js';
import type { Dependencies } from '../ports.js';
import { type TotpMatch, verifyTotp } from '../totp.js';

/** One second-factor attempt, reserved against the account before its code is checked. */
export interface ReservedAttempt extends CountedAttempt {
  /** The factor as it was when the attempt was reserved. */
  factor: TotpFactor;
}

/**
 * Reserves an attempt on the account's second factor before any code is checked (see
 * `reserveCountedAttempt`); 429 while the factor is locked. `null`: the user has no factor.
 */
export async function reserveAttempt(deps: Dependencies, user: User): Promise<ReservedAttempt | null> {
  let factor: TotpFactor | null = null;
  const attempt = await reserveCountedAttempt(
    deps.clock,
    async () => (factor = await deps.store.getTotpFactor(user.id)),
    (seen, next) => deps.store.reserveSecondFactorAttempt(user.id, seen, next),
  );
  return attempt && factor ? { ...attempt, factor } : null;
}

/**
 * Runs what follows a reservation (check the code, commit its consequences). When a dependency fails
 * before the code was judged (KMS, throttling, the final write), the attempt is given back, so a user who
 * retries after a 503 is not counted as guessing; a code judged wrong (a domain error) is never given back.
 * `alsoRelease` gives back other reservations of the same attempt (the challenge's).
 */
export async function withReservedAttempt<T>(
  deps: Dependencies,
  user: User,
  attempt: ReservedAttempt,
  work: () => Promise<T>,
  alsoRelease: () => Promise<void> = async () => undefined,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError)) {
      await giveBackAttempt(deps, user, attempt);
      await alsoRelease().catch(() => undefined);
    }
    throw error;
  }
}

/** Gives back an attempt whose code was never judged (see `giveBackCountedAttempt`). */
export async function giveBackAttempt(deps: Dependencies, user: User, attempt: ReservedAttempt): Promise<void> {
  await giveBackCountedAttempt(attempt, (seen, next) => deps.store.reserveSecondFactorAttempt(user.id, seen, next));
}

/**
 * The time step `code` proves, if it is valid for the factor's secret and newer than every step already
 * accepted (RFC 6238 §5.2); `null` otherwise.
 */
export async function acceptableStep(deps: Dependencies, user: User, factor: TotpFactor, code: string): Promise<number | null> {
  const match = await matchCode(deps, user, factor.secret, code);
  return match && match.step > factor.lastAcceptedStep ? match.step : null;
}

/**
 * Opens the user's sealed secret and checks `code` against it; the plaintext secret is wiped once
 * checked. A secret that does not open for this user (altered, or copied from someone else) matches
 * nothing.
 */
export async function matchCode(deps: Dependencies, user: User, sealed: SealedSecret, code: string): Promise<TotpMatch | null> {
  let secret: Buffer;
  try {
    secret = await deps.secrets.open(user.appId, user.id, sealed);
  } catch (error) {
    if (error instanceof SecretUnreadableError) return null;
    throw error;
  }
  try {
    return verifyTotp(secret, code, deps.clock());
  } finally {
    secret.fill(0);
  }
}

/**
 * The answer to a wrong code, already counted by its reservation: 429 when it locked the account (the
 * lockout is a security event, written to the audit log), else `invalid_code` with the attempts left
 * (capped by `otherLimit`, e.g. the challenge's own).
 */
export async function refuseCode(deps: Dependencies, user: User, attempt: ReservedAttempt, otherLimit = Number.POSITIVE_INFINITY): Promise<never> {
  if (attempt.lockSeconds > 0) {
    await recordLockout(deps, { appId: user.appId, targetUserId: user.id, actorId: user.id }, 'two_factor.locked_out', attempt);
    throw new TooManyAttemptsError(attempt.lockSeconds);
  }
  throw new InvalidCodeError(Math.min(attemptsBeforeLockout(attempt.next.failedAttempts), otherLimit));
}

/**
 * Writes the lockout an attempt put in place to the audit log. The lock itself is already stored; should
 * the audit write fail, the client gets 503 (not a given-back attempt: `ServiceUnavailableError` is a
 * domain error), and the next attempt meets the lock.
 */
export async function recordLockout(
  deps: Dependencies,
  who: { appId: string; targetUserId: string | null; actorId: string },
  type: 'two_factor.locked_out' | 'password.locked_out',
  attempt: CountedAttempt,
): Promise<void> {
  const audit = auditEvent(deps, who.appId, type, who.actorId, who.targetUserId, {
    retryAfterSeconds: attempt.lockSeconds,
    consecutiveFailures: attempt.next.failedAttempts,
  });
  try {
    await deps.store.recordAuditEvent(audit);
  } catch (error) {
    throw new ServiceUnavailableError({ cause: error });
  }
}
