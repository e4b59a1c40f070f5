import { DomainError, InvalidCodeError, SecretUnreadableError, ServiceUnavailableError, TooManyAttemptsError } from '../errors.js';
import { attemptsBeforeLockout, lockoutSeconds } from '../lockout.js';
import type { SealedSecret, TotpFactor, User } from '../model.js';
import type { Dependencies } from '../ports.js';
import { type TotpMatch, verifyTotp } from '../totp.js';

/** One second-factor attempt, reserved against the account before its code is checked. */
export interface ReservedAttempt {
  /** The factor as it was when the attempt was reserved. */
  factor: TotpFactor;
  /** Consecutive failures including this attempt, should it fail. */
  failures: number;
  /** The lockout this attempt has already put in place, should it fail (0: none). */
  lockSeconds: number;
  /** The `lockedUntil` the reservation wrote (null: none). */
  lockedUntil: number | null;
}

/** How often a request re-reads the factor when parallel attempts keep moving its count first. */
const maxReservationRaces = 25;

/**
 * Reserves an attempt before any code is checked: the account's failure count moves up by one (and, from
 * the 10th on, the lockout is set) in one conditional write, so parallel guesses are counted one by one and
 * never more than the lockout allows get checked. A correct code then clears both. `null`: no factor.
 */
export async function reserveAttempt(deps: Dependencies, user: User): Promise<ReservedAttempt | null> {
  for (let race = 0; race < maxReservationRaces; race++) {
    const factor = await deps.store.getTotpFactor(user.id);
    if (!factor) return null;
    const now = deps.clock();
    if (factor.lockedUntil !== null && factor.lockedUntil > now) {
      throw new TooManyAttemptsError(Math.ceil((factor.lockedUntil - now) / 1000));
    }
    const failures = factor.failedAttempts + 1;
    const lockSeconds = lockoutSeconds(failures);
    const lockedUntil = lockSeconds > 0 ? now + lockSeconds * 1000 : null;
    const reserved = await deps.store.reserveSecondFactorAttempt(
      user.id,
      { failedAttempts: factor.failedAttempts, lockedUntil: factor.lockedUntil },
      { failedAttempts: failures, lockedUntil },
    );
    if (reserved) return { factor, failures, lockSeconds, lockedUntil };
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * (race + 1)));
  }
  throw new ServiceUnavailableError();
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

/**
 * Returns the account's count and lock to what they were before `attempt`, unless another request has
 * moved them since. Best effort: if the dependency is still failing, the attempt stays counted.
 */
export async function giveBackAttempt(deps: Dependencies, user: User, attempt: ReservedAttempt): Promise<void> {
  await deps.store
    .reserveSecondFactorAttempt(
      user.id,
      { failedAttempts: attempt.failures, lockedUntil: attempt.lockedUntil },
      { failedAttempts: attempt.factor.failedAttempts, lockedUntil: attempt.factor.lockedUntil },
    )
    .catch(() => false);
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
 * The answer to a wrong code, already counted by its reservation: 429 when it locked the account, else
 * `invalid_code` with the attempts left (capped by `otherLimit`, e.g. the challenge's own).
 */
export function refuseCode(attempt: ReservedAttempt, otherLimit = Number.POSITIVE_INFINITY): never {
  if (attempt.lockSeconds > 0) throw new TooManyAttemptsError(attempt.lockSeconds);
  throw new InvalidCodeError(Math.min(attemptsBeforeLockout(attempt.failures), otherLimit));
}
