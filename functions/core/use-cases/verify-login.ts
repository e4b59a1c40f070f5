import { ChallengeInvalidError, ConditionFailedError } from '../errors.js';
import { findHash, hashBackupCode } from '../hashing.js';
import { normalizeBackupCode } from '../backup-codes.js';
import type { Dependencies } from '../ports.js';
import type { Challenge, User } from '../model.js';
import { loadChallenge } from './authenticate.js';
import { type SignedIn, auditEvent, maxAttemptsPerChallenge, newSession, requireApp, signedIn } from './common.js';
import { acceptableStep, assertNotLocked, refuseCode } from './second-factor.js';

export type VerifyLoginInput = { appId: string; challengeToken: string } & ({ code: string } | { backupCode: string });
export type VerifyLoginResult = SignedIn & { backupCodesRemaining?: number };

/**
 * The second step of a login: validate the challenge, check the code, then spend the code and the
 * challenge and issue the session in one transaction, so no race can spend either twice.
 */
export async function verifyLogin(deps: Dependencies, input: VerifyLoginInput): Promise<VerifyLoginResult> {
  const { challenge, user } = await loadChallenge(deps, input.appId, input.challengeToken, 'login');
  await requireApp(deps, input.appId);
  const factor = await deps.store.getTotpFactor(user.id);
  if (!factor || !user.twoFactorEnabled) throw new ChallengeInvalidError();
  assertNotLocked(deps, factor);

  const issued = newSession(deps, user, 'two_factor');
  if ('code' in input) {
    const step = await acceptableStep(deps, user, factor, input.code);
    if (step === null) return refuse(deps, user, challenge);
    try {
      await deps.store.completeLoginWithTotp({ challenge, user, step, session: issued.session });
    } catch (error) {
      return handleLostRace(deps, user, challenge, error, 'step_used');
    }
    return signedIn(issued, user);
  }

  const normalized = normalizeBackupCode(input.backupCode);
  const codeSet = await deps.store.getBackupCodeSet(user.id);
  const codeHash = normalized && codeSet ? findHash(await hashBackupCode(normalized, codeSet.salt), codeSet.remainingHashes) : undefined;
  if (!codeSet || !codeHash) return refuse(deps, user, challenge);
  const audit = auditEvent(deps, user.appId, 'backup_code.used', user.id, user.id, { backupCodesRemaining: codeSet.remainingHashes.length - 1 });
  let remaining: number;
  try {
    remaining = await deps.store.completeLoginWithBackupCode({ challenge, user, setId: codeSet.setId, codeHash, session: issued.session, audit });
  } catch (error) {
    return handleLostRace(deps, user, challenge, error, 'backup_code_used');
  }
  return { ...signedIn(issued, user), backupCodesRemaining: remaining };
}

async function refuse(deps: Dependencies, user: User, challenge: Challenge): Promise<never> {
  let challengeFailures: number;
  try {
    challengeFailures = await deps.store.recordChallengeFailure(challenge.tokenHash, maxAttemptsPerChallenge);
  } catch (error) {
    if (error instanceof ConditionFailedError) throw new ChallengeInvalidError();
    throw error;
  }
  return refuseCode(deps, user, maxAttemptsPerChallenge - challengeFailures);
}

/** A lost race on the code itself is a wrong code; on the challenge or the user, the challenge is dead. */
async function handleLostRace(deps: Dependencies, user: User, challenge: Challenge, error: unknown, codeSpent: string): Promise<never> {
  if (!(error instanceof ConditionFailedError)) throw error;
  if (error.reason === codeSpent) return refuse(deps, user, challenge);
  throw new ChallengeInvalidError();
}
