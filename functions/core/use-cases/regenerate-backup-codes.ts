import { backupCodesFile, generateBackupCodes, type BackupCodesFile } from '../backup-codes.js';
import { ConditionFailedError, ConflictError } from '../errors.js';
import type { Dependencies } from '../ports.js';
import { authenticateSession } from './authenticate.js';
import { auditEvent, requireApp } from './common.js';
import { newBackupCodeSet } from './confirm-enrollment.js';
import { acceptableStep, assertNotLocked, refuseCode } from './second-factor.js';

export interface BackupCodesRegenerated {
  backupCodes: string[];
  backupCodesFile: BackupCodesFile;
}

/** A current code buys a new set of backup codes; the old set dies in the same write. */
export async function regenerateBackupCodes(deps: Dependencies, input: { appId: string; token: string | null; code: string }): Promise<BackupCodesRegenerated> {
  const { user } = await authenticateSession(deps, input.appId, input.token);
  const app = await requireApp(deps, input.appId);
  const factor = await deps.store.getTotpFactor(user.id);
  if (!factor || !user.twoFactorEnabled) throw new ConflictError('not_enrolled', 'Two-factor authentication is not enabled.');
  assertNotLocked(deps, factor);
  const step = await acceptableStep(deps, user, factor, input.code);
  if (step === null) return refuseCode(deps, user);

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
    if (error.reason === 'step_used') return refuseCode(deps, user);
    throw new ConflictError('not_enrolled', 'Two-factor authentication is not enabled.');
  }
  return { backupCodes: codes, backupCodesFile: backupCodesFile(app.name, user.email, codes, now) };
}
