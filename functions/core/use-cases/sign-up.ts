import { ConditionFailedError, ConflictError } from '../errors.js';
import type { User } from '../model.js';
import type { Dependencies } from '../ports.js';
import { enforcementFor } from '../enforcement.js';
import { effectiveMode } from '../plans.js';
import { hashPassword } from '../hashing.js';
import { newId } from '../tokens.js';
import {
  type PasswordStepResult,
  challengeIssued,
  newChallenge,
  newSession,
  normalizeEmail,
  requireApp,
  signedInWithOffer,
} from './common.js';
import { deviceView, newDevice } from './devices.js';

export type SignUpResult = PasswordStepResult;

/**
 * Creates an end user. When 2FA is required for members with no grace period, the user gets an enrollment
 * challenge, not a session; with one, a session carrying the deadline (`enrollBy`).
 */
export async function signUp(deps: Dependencies, input: { appId: string; email: string; password: string }): Promise<SignUpResult> {
  const app = await requireApp(deps, input.appId);
  const mode = effectiveMode(app.publishedConfig);
  const user: User = {
    id: newId('usr'),
    appId: app.id,
    email: normalizeEmail(input.email),
    role: 'member',
    createdAt: new Date(deps.clock()).toISOString(),
    passwordHash: await hashPassword(input.password),
    generation: 0,
    deviceGeneration: 0,
    rememberGeneration: 0,
    twoFactorEnabled: false,
    twoFactorEnabledAt: null,
  };
  const enforcement = enforcementFor(app.publishedConfig, user, deps.clock());
  try {
    if (enforcement.kind === 'enforced') {
      const issued = newChallenge(deps, user, 'enrollment');
      await deps.users.createUser(user, { challenge: issued.challenge });
      return challengeIssued(issued);
    }
    const device = newDevice(deps, user);
    const issued = newSession(deps, user, 'password', device.use.device.id);
    await deps.users.createUser(user, { session: issued.session, device: device.use.device });
    return signedInWithOffer(issued, user, deviceView(device, user, app.publishedConfig, deps.clock()), mode, enforcement);
  } catch (error) {
    if (error instanceof ConditionFailedError && error.reason === 'email_taken') {
      throw new ConflictError('email_taken', 'An account with this email already exists.');
    }
    throw error;
  }
}
