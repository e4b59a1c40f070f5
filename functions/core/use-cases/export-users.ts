import { csvOf } from '../csv.js';
import { authenticateAdmin } from './authenticate.js';
import type { Dependencies } from '../ports.js';
import { type TwoFactorFilter, readUsers, userRows } from './list-users.js';

/** The columns of the users export, in order. */
const usersCsvHeader = ['id', 'email', 'role', 'createdAt', 'twoFactorStatus', 'twoFactorEnrolledAt', 'enrollBy'] as const;

export interface UsersCsv {
  csv: string;
  /** Where the next part starts, or null when this was the last. */
  nextCursor: string | null;
}

/** A part of the users table as CSV (its header on every part), with the 2FA status, enrolled-at and deadline. */
export async function exportUsers(
  deps: Dependencies,
  input: { appId: string; token: string | null; limit: number; cursor: string | null; twoFactor?: TwoFactorFilter | undefined },
): Promise<UsersCsv> {
  const { app } = await authenticateAdmin(deps, input.appId, input.token);
  const page = await readUsers(deps, app.id, input);
  const rows = await userRows(deps, app.publishedConfig, page.items);
  return {
    csv: csvOf(
      usersCsvHeader,
      rows.map((row) => [row.id, row.email, row.role, row.createdAt, row.twoFactorStatus, row.twoFactorEnrolledAt, row.enrollBy]),
    ),
    nextCursor: page.nextCursor,
  };
}
