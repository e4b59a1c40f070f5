import { ConditionFailedError, NotFoundError, ServiceUnavailableError } from '../errors.js';
import type { Dependencies } from '../ports.js';
import { authenticateAdmin } from './authenticate.js';
import { auditEvent, requireApp, userSummary } from './common.js';
import { liveDevices } from './devices.js';
import { refuseOwnAccount, requireRecentSecondFactor } from './step-up.js';
import type { User, UserSummary } from '../model.js';

/** A reset: `reasonInternal` keeps the reason in the audit log but out of the email the user gets. */
interface ResetInput {
  appId: string;
  userId: string;
  actorId: string;
  reason: string | null;
  reasonInternal?: boolean;
}

/**
 * Removes a user's authenticator, backup codes and pending enrollment, kills all their sessions and
 * challenges, ends remembering and their lockouts; the user enrolls again at the next login (or from the
 * user menu).
 */
export async function resetUserTwoFactor(deps: Dependencies, input: ResetInput): Promise<{ user: UserSummary }> {
  await requireApp(deps, input.appId);
  return resetInApp(deps, input);
}

/** A user of the app, or `not_found` (a user of another app is not found either). */
async function requireUserOfApp(deps: Dependencies, appId: string, userId: string): Promise<User> {
  const user = await deps.users.getUser(userId);
  if (!user || user.appId !== appId) throw new NotFoundError('The user');
  return user;
}

/** How often a reset reads the user again after its 2FA went on or off meanwhile (an enrollment racing it). */
const maxResetRaces = 5;

/**
 * The reset itself, for an app already known to exist. It is conditioned on the 2FA state it read (so the
 * enrollment counters move by what it changes); an enrollment or disable committed in between makes it read
 * the user again.
 */
async function resetInApp(deps: Dependencies, input: ResetInput): Promise<{ user: UserSummary }> {
  for (let race = 0; race < maxResetRaces; race++) {
    const user = await requireUserOfApp(deps, input.appId, input.userId);
    const audit = auditEvent(
      deps,
      input.appId,
      'two_factor.reset',
      input.actorId,
      user.id,
      input.reason ? { reason: input.reason, ...(input.reasonInternal ? { reasonInternal: true } : {}) } : undefined,
    );
    try {
      const updated = await deps.users.resetTwoFactor({ user, devices: await liveDevices(deps, user), audit });
      return { user: userSummary(updated) };
    } catch (error) {
      if (!readAgain(error)) throw error;
    }
  }
  throw new ServiceUnavailableError();
}

/**
 * A change committed in between (`user_changed`), or a device listed gone meanwhile (`device_changed`: forgotten,
 * or taken back by a login whose commit lost a race): read the user and devices again.
 */
function readAgain(error: unknown): boolean {
  return error instanceof ConditionFailedError && (error.reason === 'user_changed' || error.reason === 'device_changed');
}

/**
 * The admin's reset from the users table: never of the admin's own account, and only with a second factor
 * proven in the last 10 minutes when the admin has one.
 */
export async function adminResetTwoFactor(
  deps: Dependencies,
  input: Omit<ResetInput, 'actorId'> & { token: string | null },
): Promise<{ user: UserSummary }> {
  const admin = await authenticateAdmin(deps, input.appId, input.token);
  refuseOwnAccount(admin, input.userId);
  requireRecentSecondFactor(deps, admin);
  return resetInApp(deps, {
    appId: input.appId,
    userId: input.userId,
    actorId: admin.user.id,
    reason: input.reason,
    ...(input.reasonInternal ? { reasonInternal: true } : {}),
  });
}

/**
 * The admin's unlock: ends the user's password and second-factor lockouts (the email's count, the
 * factor's, every device's), audited as `user.unlocked`. Same rules as the reset.
 */
export async function unlockUser(
  deps: Dependencies,
  input: { appId: string; token: string | null; userId: string },
): Promise<{ user: UserSummary }> {
  const admin = await authenticateAdmin(deps, input.appId, input.token);
  refuseOwnAccount(admin, input.userId);
  requireRecentSecondFactor(deps, admin);
  for (let race = 0; race < maxResetRaces; race++) {
    const user = await requireUserOfApp(deps, input.appId, input.userId);
    try {
      await deps.users.unlockUser(
        user,
        await liveDevices(deps, user),
        auditEvent(deps, input.appId, 'user.unlocked', admin.user.id, user.id),
      );
      return { user: userSummary(user) };
    } catch (error) {
      if (!readAgain(error)) throw error;
    }
  }
  throw new ServiceUnavailableError();
}
