import { catalogue, ConditionFailedError, PolicyError } from '../errors.js';
import type { Dependencies } from '../ports.js';
import { isRequiredFor } from '../enforcement.js';
import { authenticateSession } from './authenticate.js';
import { auditEvent } from './common.js';
import { withCurrentCode } from './second-factor.js';

/**
 * Removes the user's authenticator and backup codes, proven by a current code; refused where 2FA is
 * required for the user (under `required`, or for their role).
 * Every other session of the user ends, and no device stays remembered.
 */
export async function disableTwoFactor(
  deps: Dependencies,
  input: { appId: string; token: string | null; code: string },
): Promise<{ status: 'DISABLED' }> {
  const principal = await authenticateSession(deps, input.appId, input.token);
  const { user, app } = principal;
  if (isRequiredFor(app.publishedConfig, user.role)) {
    throw new PolicyError('two_factor_required', 'This app requires two-factor authentication; it cannot be disabled.');
  }
  return withCurrentCode(deps, principal, input.code, async (step) => {
    try {
      await deps.users.disableTwoFactor({
        user,
        step,
        audit: auditEvent(deps, app.id, 'two_factor.disabled', user.id, user.id),
        current: { session: principal.session },
      });
    } catch (error) {
      if (error instanceof ConditionFailedError && error.reason === 'not_enrolled') throw catalogue.notEnrolled();
      throw error;
    }
    return { status: 'DISABLED' as const };
  });
}
