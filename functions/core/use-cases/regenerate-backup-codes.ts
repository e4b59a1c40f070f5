import { backupCodesFile, generateBackupCodes, type BackupCodesFile } from '../backup-codes.js';
import { catalogue, ConditionFailedError } from '../errors.js';
import type { Dependencies } from '../ports.js';
import { authenticateSession } from './authenticate.js';
import { auditEvent } from './common.js';
import { newBackupCodeSet } from './confirm-enrollment.js';
import { withCurrentCode } from './second-factor.js';

export interface BackupCodesRegenerated {
  backupCodes: string[];
  backupCodesFile: BackupCodesFile;
}

/**
 * A current code buys a new set of backup codes; the old set dies in the same write, with every other
 * session of the user and the remembering of every device.
 */
export async function regenerateBackupCodes(
  deps: Dependencies,
  input: { appId: string; token: string | null; code: string },
): Promise<BackupCodesRegenerated> {
  const principal = await authenticateSession(deps, input.appId, input.token);
  const { user, app } = principal;
  return withCurrentCode(deps, principal, input.code, async (step, attempt) => {
    const now = new Date(deps.clock()).toISOString();
    const codes = generateBackupCodes();
    try {
      await deps.users.replaceBackupCodes({
        user,
        step,
        backupCodes: await newBackupCodeSet(user, codes, now),
        audit: auditEvent(deps, app.id, 'backup_codes.regenerated', user.id, user.id),
        current: { session: principal.session },
        countedOn: attempt.countedOn,
      });
    } catch (error) {
      if (error instanceof ConditionFailedError && error.reason === 'not_enrolled') throw catalogue.notEnrolled();
      throw error;
    }
    return { backupCodes: codes, backupCodesFile: backupCodesFile(app.name, user.email, codes, now) };
  });
}
