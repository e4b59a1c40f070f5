import { InvalidCodeError, SecretUnreadableError, TooManyAttemptsError } from '../errors.js';
import { attemptsBeforeLockout, lockoutSeconds } from '../lockout.js';
import type { SealedSecret, TotpFactor, User } from '../model.js';
import type { Dependencies } from '../ports.js';
import { type TotpMatch, verifyTotp } from '../totp.js';

/** Refuses any code while the account's second factor is locked out. */
export function assertNotLocked(deps: Dependencies, factor: TotpFactor): void {
  const now = deps.clock();
  if (factor.lockedUntil !== null && factor.lockedUntil > now) {
    throw new TooManyAttemptsError(Math.ceil((factor.lockedUntil - now) / 1000));
  }
}

/**
 * The time step `code` proves, if it is valid for the factor's secret and newer than every step already
 * accepted (RFC 6238 §5.2); `null` otherwise. The secret is wiped from memory once checked.
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
 * Counts a wrong second-factor code against the account and throws the answer: 429 once the account is
 * locked, else `invalid_code` with the attempts left (capped by `otherLimit`, e.g. the challenge's own).
 */
export async function refuseCode(deps: Dependencies, user: User, otherLimit = Number.POSITIVE_INFINITY): Promise<never> {
  const failures = await deps.store.recordSecondFactorFailure(user.id);
  const lockFor = lockoutSeconds(failures);
  if (lockFor > 0) {
    await deps.store.lockSecondFactor(user.id, deps.clock() + lockFor * 1000);
    throw new TooManyAttemptsError(lockFor);
  }
  throw new InvalidCodeError(Math.min(attemptsBeforeLockout(failures), otherLimit));
}
