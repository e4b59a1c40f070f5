import { NotFoundError } from '../errors.js';
import type { Dependencies } from '../ports.js';
import { authenticateAdmin } from './authenticate.js';
import { auditEvent, requireApp, userSummary } from './common.js';
import type { UserSummary } from '../model.js';

/**
 * Removes a user's authenticator, backup codes and pending enrollment and kills all their sessions and
 * challenges; the user enrolls again at the next login (or from the user menu).
 */
export async function resetUserTwoFactor(
  deps: Dependencies,
  input: { appId: string; userId: string; actorId: string; reason: string | null },
): Promise<{ user: UserSummary }> {
  await requireApp(deps, input.appId);
  return resetInApp(deps, input);
}

/** The reset itself, for an app already known to exist. */
async function resetInApp(
  deps: Dependencies,
  input: { appId: string; userId: string; actorId: string; reason: string | null },
): Promise<{ user: UserSummary }> {
  const user = await deps.store.getUser(input.userId);
  if (!user || user.appId !== input.appId) throw new NotFoundError('The user');
  const audit = auditEvent(deps, input.appId, 'two_factor.reset', input.actorId, user.id, input.reason ? { reason: input.reason } : undefined);
  const updated = await deps.store.resetTwoFactor({ user, audit });
  return { user: userSummary(updated) };
}

/** The admin's reset from the users table. */
export async function adminResetTwoFactor(
  deps: Dependencies,
  input: { appId: string; token: string | null; userId: string; reason: string | null },
): Promise<{ user: UserSummary }> {
  const admin = await authenticateAdmin(deps, input.appId, input.token);
  return resetInApp(deps, { appId: input.appId, userId: input.userId, actorId: admin.user.id, reason: input.reason });
}
