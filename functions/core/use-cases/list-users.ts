import type { UserSummary } from '../model.js';
import type { Dependencies } from '../ports.js';
import { effectiveMode } from '../plans.js';
import { authenticateAdmin } from './authenticate.js';

export interface UsersPage {
  users: UserSummary[];
  nextCursor: string | null;
  twoFactorColumn: boolean;
}

/** The admin users table; the "2FA setup Complete" column shows once the published mode is not `off`. */
export async function listUsers(
  deps: Dependencies,
  input: { appId: string; token: string | null; limit: number; cursor: string | null },
): Promise<UsersPage> {
  const { app } = await authenticateAdmin(deps, input.appId, input.token);
  const page = await deps.users.listUsers(app.id, input.limit, input.cursor);
  return { users: page.items, nextCursor: page.nextCursor, twoFactorColumn: effectiveMode(app.publishedConfig) !== 'off' };
}
