import { deadlineFor, enforcementFor } from '../enforcement.js';
import type { PublishedConfig, User, UserSummary } from '../model.js';
import type { Dependencies, Page, UsersFilter } from '../ports.js';
import { effectiveMode } from '../plans.js';
import { authenticateAdmin } from './authenticate.js';

/** Where a user stands with 2FA: enrolled; required and pending (deadline ahead) or overdue; or not required. */
type TwoFactorStatus = 'enrolled' | 'pending' | 'overdue' | 'not_required';

/** A row of the admin users table. */
export interface UserRow extends UserSummary {
  twoFactorStatus: TwoFactorStatus;
  twoFactorEnrolledAt: string | null;
  /** The deadline to enroll by (passed or not) of a user without 2FA it is required for, with a grace period. */
  enrollBy: string | null;
}

export interface UsersPage {
  users: UserRow[];
  nextCursor: string | null;
  twoFactorColumn: boolean;
}

/** `twoFactor=enrolled`: users with 2FA; `pending`: users without it yet (whatever the requirement). */
export type TwoFactorFilter = 'enrolled' | 'pending';

/** A filtered listing reads at most this many pages of the index to fill one page. */
const maxReadsPerPage = 10;

/** The admin users table; the "2FA setup Complete" column shows once the published mode is not `off`. */
export async function listUsers(
  deps: Dependencies,
  input: { appId: string; token: string | null; limit: number; cursor: string | null; twoFactor?: TwoFactorFilter | undefined },
): Promise<UsersPage> {
  const { app } = await authenticateAdmin(deps, input.appId, input.token);
  const page = await readUsers(deps, app.id, input);
  return {
    users: await userRows(deps, app.publishedConfig, page.items),
    nextCursor: page.nextCursor,
    twoFactorColumn: effectiveMode(app.publishedConfig) !== 'off',
  };
}

/**
 * A page of the listing. A filter is applied by the store to each page it reads, so a page can come back
 * short: the reads go on from where the last stopped until `limit` users are found, the listing ends, or
 * `maxReadsPerPage` reads were made (a short page with a cursor then; clients follow cursors anyway).
 */
export async function readUsers(
  deps: Dependencies,
  appId: string,
  input: { limit: number; cursor: string | null; twoFactor?: TwoFactorFilter | undefined },
): Promise<Page<UserSummary>> {
  if (!input.twoFactor) return deps.users.listUsers(appId, input.limit, input.cursor);
  const filter: UsersFilter = { twoFactorEnabled: input.twoFactor === 'enrolled' };
  const items: UserSummary[] = [];
  let cursor = input.cursor;
  for (let read = 0; read < maxReadsPerPage; read++) {
    const page = await deps.users.listUsers(appId, input.limit - items.length, cursor, filter);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null || items.length >= input.limit) break;
  }
  return { items, nextCursor: cursor };
}

/** The rows of a page: each user's 2FA status and deadline, and the enrolled-at of those with 2FA. */
export async function userRows(deps: Dependencies, config: PublishedConfig | null, users: UserSummary[]): Promise<UserRow[]> {
  const enrolled = users.filter((user) => user.twoFactorSetupComplete).map((user) => user.id);
  // The index that lists users does not carry the enrolled-at: read it from the enrolled users' profiles.
  const profiles = new Map<string, User>((enrolled.length > 0 ? await deps.users.getUsers(enrolled) : []).map((user) => [user.id, user]));
  const now = deps.clock();
  return users.map((summary) => {
    const user = { role: summary.role, createdAt: summary.createdAt, twoFactorEnabled: summary.twoFactorSetupComplete };
    const deadline = deadlineFor(config, user);
    const enforcement = enforcementFor(config, user, now);
    return {
      ...summary,
      twoFactorStatus: summary.twoFactorSetupComplete
        ? 'enrolled'
        : enforcement.kind === 'grace'
          ? 'pending'
          : enforcement.kind === 'enforced'
            ? 'overdue'
            : 'not_required',
      twoFactorEnrolledAt: profiles.get(summary.id)?.twoFactorEnabledAt ?? null,
      enrollBy: deadline === null ? null : new Date(deadline).toISOString(),
    };
  });
}
