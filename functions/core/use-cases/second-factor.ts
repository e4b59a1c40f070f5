import {
  catalogue,
  ConditionFailedError,
  DomainError,
  InvalidCodeError,
  SecretUnreadableError,
  ServiceUnavailableError,
  TooManyAttemptsError,
} from '../errors.js';
import { attemptsBeforeLockout } from '../lockout.js';
import { type CountedAttempt, type MoveCount, giveBackCountedAttempt, reserveCountedAttempt } from './attempt-counter.js';
import { auditEvent } from './common.js';
import type { SealedSecret, TotpFactor, User } from '../model.js';
import type { CountedOn, Dependencies } from '../ports.js';
import { type TotpMatch, verifyTotp } from '../totp.js';

/** One second-factor attempt, reserved before its code is checked. */
export interface ReservedAttempt extends CountedAttempt {
  /** The factor as it was when the attempt was reserved. */
  factor: TotpFactor;
  /** Where the attempt is counted: codes sent from a session count against the account. */
  countedOn: CountedOn;
  move: MoveCount;
}

/**
 * Reserves an attempt on the user's second factor before a code sent from a session is checked (see
 * `reserveCountedAttempt`): it counts against the account, as a login's without a device does, so a
 * stolen session and a stolen password share one budget of guesses; 429 while that count is locked.
 * `null`: the user has no factor.
 */
export async function reserveAttempt(deps: Dependencies, user: User): Promise<ReservedAttempt | null> {
  // The factor as the winning read saw it (a lost race reads it again).
  const read: { factor: TotpFactor | null } = { factor: null };
  const move: MoveCount = (seen, next) => deps.users.reserveSecondFactorAttempt(user.id, seen, next);
  const attempt = await reserveCountedAttempt(deps.clock, async () => (read.factor = await deps.users.getTotpFactor(user.id)), move);
  return attempt && read.factor ? { ...attempt, factor: read.factor, countedOn: { kind: 'account' }, move } : null;
}

/**
 * Runs what follows a reservation (check the code, commit its consequences). When a dependency fails
 * before the code was judged (KMS, throttling, the final write), the attempt is given back, so a user who
 * retries after a 503 is not counted as guessing; a code judged wrong (a domain error) is never given back.
 */
export async function withReservedAttempt<T>(attempt: ReservedAttempt, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError)) await giveBackAttempt(attempt);
    throw error;
  }
}

/** Gives back an attempt whose code was never judged (see `giveBackCountedAttempt`). */
async function giveBackAttempt(attempt: ReservedAttempt): Promise<void> {
  await giveBackCountedAttempt(attempt, attempt.move);
}

/**
 * The time step `code` proves, if it is valid for the factor's secret and newer than every step already
 * accepted (RFC 6238 §5.2); `null` otherwise.
 */
async function acceptableStep(deps: Dependencies, user: User, factor: TotpFactor, code: string): Promise<number | null> {
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
 * "Prove a current code, then commit": the one sequence of every step a signed-in user proves with a code
 * from the authenticator app (regenerate, disable, step-up). Reserves an attempt, checks the code, then runs
 * `commit` with the step it proves; a step spent meanwhile (`step_used`) is a wrong code, already counted.
 *
 * A session sends no device token: its codes count against the account, as a login's without one do, so a
 * stolen session and a stolen password share one budget of guesses instead of getting one each.
 */
export async function withCurrentCode<T>(
  deps: Dependencies,
  principal: { user: User },
  code: string,
  commit: (step: number, attempt: ReservedAttempt) => Promise<T>,
): Promise<T> {
  const { user } = principal;
  const attempt = user.twoFactorEnabled ? await reserveAttempt(deps, user) : null;
  if (!attempt) throw catalogue.notEnrolled();
  return withReservedAttempt(attempt, async () => {
    const step = await acceptableStep(deps, user, attempt.factor, code);
    if (step === null) return refuseCode(deps, user, attempt);
    let result: T;
    try {
      result = await commit(step, attempt);
    } catch (error) {
      if (error instanceof ConditionFailedError && error.reason === 'step_used') return refuseCode(deps, user, attempt);
      throw error;
    }
    return result;
  });
}

/**
 * The answer to a wrong code, already counted by its reservation: 429 when it locked the account (the
 * lockout is a security event, written to the audit log, and ends remembering for every device of the
 * user), else `invalid_code` with the attempts left (capped by `otherLimit`, e.g. the challenge's own).
 */
export async function refuseCode(
  deps: Dependencies,
  user: User,
  attempt: ReservedAttempt,
  otherLimit = Number.POSITIVE_INFINITY,
): Promise<never> {
  if (attempt.lockSeconds > 0) {
    await recordLockout(
      deps,
      { appId: user.appId, targetUserId: user.id, actorId: user.id },
      'two_factor.locked_out',
      attempt,
      attempt.countedOn,
    );
    throw new TooManyAttemptsError(attempt.lockSeconds);
  }
  throw new InvalidCodeError(Math.min(attemptsBeforeLockout(attempt.next.failedAttempts), otherLimit));
}

/**
 * Writes the lockout an attempt put in place to the audit log. The lock itself is already stored; should
 * the audit write fail, the client gets 503 (not a given-back attempt: `ServiceUnavailableError` is a
 * domain error), and the next attempt meets the lock.
 */
async function recordLockout(
  deps: Dependencies,
  who: { appId: string; targetUserId: string | null; actorId: string },
  type: 'two_factor.locked_out' | 'password.locked_out',
  attempt: CountedAttempt,
  countedOn: CountedOn,
): Promise<void> {
  const audit = auditEvent(deps, who.appId, type, who.actorId, who.targetUserId, {
    retryAfterSeconds: attempt.lockSeconds,
    consecutiveFailures: attempt.next.failedAttempts,
    lockedOn: countedOn.kind,
  });
  try {
    await deps.users.recordLockout(audit, type === 'two_factor.locked_out');
  } catch (error) {
    throw new ServiceUnavailableError({ cause: error });
  }
}
