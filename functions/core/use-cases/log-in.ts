import { InvalidCredentialsError } from '../errors.js';
import { spendPasswordCheck, verifyPassword } from '../hashing.js';
import type { Dependencies } from '../ports.js';
import { effectiveMode } from '../plans.js';
import {
  type PasswordStepResult,
  challengeIssued,
  newChallenge,
  newSession,
  normalizeEmail,
  requireApp,
  signedInWithOffer,
} from './common.js';

export type LogInResult = PasswordStepResult;

/**
 * Checks the password, then decides by the published mode: enrolled users owe a second factor whenever
 * 2FA is on; under `required`, users without one must enroll before they get a session.
 */
export async function logIn(deps: Dependencies, input: { appId: string; email: string; password: string }): Promise<LogInResult> {
  const app = await requireApp(deps, input.appId);
  const user = await deps.store.findUserByEmail(app.id, normalizeEmail(input.email));
  if (!user) {
    await spendPasswordCheck(input.password);
    throw new InvalidCredentialsError();
  }
  if (!(await verifyPassword(input.password, user.passwordHash))) throw new InvalidCredentialsError();

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
