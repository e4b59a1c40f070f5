import type { TwoFactorMode } from '../model.js';
import type { Dependencies } from '../ports.js';
import { enforcementFor, enrollByOf, isRequiredFor } from '../enforcement.js';
import { effectiveMode } from '../plans.js';
import { authenticateSession } from './authenticate.js';
import { type UserView, userView } from './common.js';

export interface Me {
  user: UserView;
  twoFactor: {
    enabled: boolean;
    enabledAt: string | null;
    backupCodesRemaining: number | null;
    /** Whether the published config requires 2FA of this user (the app's mode, or their role). */
    required: boolean;
    /** While a grace period runs for a user without 2FA it is required for: the deadline to enroll by. */
    enrollBy: string | null;
  };
  app: { id: string; name: string; twoFactorMode: TwoFactorMode };
}

export async function getMe(deps: Dependencies, input: { appId: string; token: string | null }): Promise<Me> {
  const { user, app } = await authenticateSession(deps, input.appId, input.token, { allowWithoutRequiredFactor: true });
  const codeSet = user.twoFactorEnabled ? await deps.users.getBackupCodeSet(user.id) : null;
  return {
    user: userView(user),
    twoFactor: {
      enabled: user.twoFactorEnabled,
      enabledAt: user.twoFactorEnabledAt,
      backupCodesRemaining: user.twoFactorEnabled ? (codeSet?.remainingHashes.length ?? 0) : null,
      required: isRequiredFor(app.publishedConfig, user.role),
      enrollBy: enrollByOf(enforcementFor(app.publishedConfig, user, deps.clock())),
    },
    app: { id: app.id, name: app.name, twoFactorMode: effectiveMode(app.publishedConfig) },
  };
}
