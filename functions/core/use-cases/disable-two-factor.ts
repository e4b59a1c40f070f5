import { ConditionFailedError, ConflictError, PolicyError } from '../errors.js';
import type { Dependencies } from '../ports.js';
import { effectiveMode } from '../plans.js';
import { authenticateSession } from './authenticate.js';
import { auditEvent } from './common.js';
import { acceptableStep, refuseCode, reserveAttempt, withReservedAttempt } from './second-factor.js';

/** Removes the user's authenticator and backup codes, proven by a current code; refused under `required`. */
export async function disableTwoFactor(deps: Dependencies, input: { appId: string; token: string | null; code: string }): Promise<{ status: 'DISABLED' }> {
  const { user, app } = await authenticateSession(deps, input.appId, input.token);
  if (effectiveMode(app.publishedConfig) === 'required') {
    throw new PolicyError('two_factor_required', 'This app requires two-factor authentication; it cannot be disabled.');
  }
  const attempt = user.twoFactorEnabled ? await reserveAttempt(deps, user) : null;
  if (!attempt) throw new ConflictError('not_enrolled', 'Two-factor authentication is not enabled.');
  return withReservedAttempt(deps, user, attempt, async () => {
    const step = await acceptableStep(deps, user, attempt.factor, input.code);
    if (step === null) return refuseCode(deps, user, attempt);
    try {
      await deps.store.disableTwoFactor({ user, step, audit: auditEvent(deps, app.id, 'two_factor.disabled', user.id, user.id) });
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      if (error.reason === 'step_used') return refuseCode(deps, user, attempt);
      throw new ConflictError('not_enrolled', 'Two-factor authentication is not enabled.');
    }
    return { status: 'DISABLED' as const };
  });
}
