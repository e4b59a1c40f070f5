import { InvalidCredentialsError, TooManyAttemptsError } from '../errors.js';
import { spendPasswordCheck, verifyPassword } from '../hashing.js';
import type { FailureCount, User } from '../model.js';
import type { Dependencies } from '../ports.js';
import { type MoveCount, giveBackCountedAttempt, reserveCountedAttempt } from './attempt-counter.js';
import { recordLockout } from './second-factor.js';
import { effectiveMode } from '../plans.js';
import {
  type PasswordStepResult,
  challengeIssued,
  newChallenge,
  newSession,
  anonymousActor,
  normalizeEmail,
  requireApp,
  signedInWithOffer,
} from './common.js';

export type LogInResult = PasswordStepResult;

/**
 * Checks the password, then decides by the published mode: enrolled users owe a second factor whenever
 * 2FA is on; under `required`, users without one must enroll before they get a session.
 *
 * Every password attempt is counted against the email before the password is checked (the same lockout
 * as the second factor), whether or not a user has that email: unknown emails, wrong passwords and
 * locked accounts look alike from outside, and both refusals cost one password hash.
 */
export async function logIn(deps: Dependencies, input: { appId: string; email: string; password: string }): Promise<LogInResult> {
  const app = await requireApp(deps, input.appId);
  const email = normalizeEmail(input.email);
  const move: MoveCount = (seen, next) => deps.store.movePasswordFailures(app.id, email, seen, next);
  const noFailures: FailureCount = { failedAttempts: 0, lockedUntil: null };
  const attempt = (await reserveCountedAttempt(deps.clock, async () => (await deps.store.getPasswordFailures(app.id, email)) ?? noFailures, move))!;

  let user: User | null;
  try {
    user = await deps.store.findUserByEmail(app.id, email);
  } catch (error) {
    // The password was never looked at: the attempt does not count.
    await giveBackCountedAttempt(attempt, move);
    throw error;
  }
  const passwordMatches = user ? await verifyPassword(input.password, user.passwordHash) : (await spendPasswordCheck(input.password), false);
  if (!user || !passwordMatches) {
    if (attempt.lockSeconds === 0) throw new InvalidCredentialsError();
    // Recorded for unknown emails too (no target user): the admin sees credential stuffing, and the two
    // refusals do the same writes, so timing or a failed write tells nothing about the email.
    await recordLockout(deps, { appId: app.id, targetUserId: user?.id ?? null, actorId: anonymousActor }, 'password.locked_out', attempt);
    throw new TooManyAttemptsError(attempt.lockSeconds);
  }
  await deps.store.clearPasswordFailures(app.id, email);

  const mode = effectiveMode(app.publishedConfig);
  if (mode !== 'off' && user.twoFactorEnabled) {
    const issued = newChallenge(deps, user, 'login');
    await deps.store.putChallenge(issued.challenge);
    return challengeIssued(issued);
  }
  if (mode === 'required') {
    const issued = newChallenge(deps, user, 'enrollment');
    await deps.store.putChallenge(issued.challenge);
    return challengeIssued(issued);
  }
  const issued = newSession(deps, user, 'password');
  await deps.store.putSession(issued.session);
  return signedInWithOffer(issued, user, mode);
}
