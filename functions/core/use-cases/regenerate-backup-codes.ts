import { backupCodesFile, generateBackupCodes, type BackupCodesFile } from '../backup-codes.js';
import { ConditionFailedError, ConflictError } from '../errors.js';
import type { Dependencies } from '../ports.js';
import { authenticateSession } from './authenticate.js';
import { auditEvent } from './common.js';
import { newBackupCodeSet } from './confirm-enrollment.js';
import { acceptableStep, refuseCode, reserveAttempt, withReservedAttempt } from './second-factor.js';

export interface BackupCodesRegenerated {
  backupCodes: string[];
  backupCodesFile: BackupCodesFile;
}

/** A current code buys a new set of backup codes; the old set dies in the same write. */
export async function regenerateBackupCodes(deps: Dependencies, input: { appId: string; token: string | null; code: string }): Promise<BackupCodesRegenerated> {
  const { user, app } = await authenticateSession(deps, input.appId, input.token);
  const attempt = user.twoFactorEnabled ? await reserveAttempt(deps, user) : null;
  if (!attempt) throw new ConflictError('not_enrolled', 'Two-factor authentication is not enabled.');
  return withReservedAttempt(deps, user, attempt, async () => {
    const step = await acceptableStep(deps, user, attempt.factor, input.code);
    if (step === null) return refuseCode(deps, user, attempt);

    const now = new Date(deps.clock()).toISOString();
    const codes = generateBackupCodes();
    try {
      await deps.store.replaceBackupCodes({
        user,
        step,
        backupCodes: await newBackupCodeSet(user, codes, now),
        audit: auditEvent(deps, app.id, 'backup_codes.regenerated', user.id, user.id),
      });
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      if (error.reason === 'step_used') return refuseCode(deps, user, attempt);
      throw new ConflictError('not_enrolled', 'Two-factor authentication is not enabled.');
    }
    return { backupCodes: codes, backupCodesFile: backupCodesFile(app.name, user.email, codes, now) };
  });
}
