import { ChallengeInvalidError, ConditionFailedError } from '../errors.js';
import { findHash, hashBackupCode } from '../hashing.js';
import { normalizeBackupCode } from '../backup-codes.js';
import type { Dependencies } from '../ports.js';
import { loadChallenge } from './authenticate.js';
import { type SignedIn, auditEvent, maxAttemptsPerChallenge, newSession, signedIn } from './common.js';
import { acceptableStep, giveBackAttempt, refuseCode, reserveAttempt, withReservedAttempt } from './second-factor.js';

export type VerifyLoginInput = { appId: string; challengeToken: string } & ({ code: string } | { backupCode: string });
export type VerifyLoginResult = SignedIn & { backupCodesRemaining?: number };

/**
 * The second step of a login: validate the challenge, reserve an attempt on it and on the account, check
 * the code, then spend the code and the challenge and issue the session in one transaction, so no race
 * can spend either twice or check more codes than the limits allow.
 */
export async function verifyLogin(deps: Dependencies, input: VerifyLoginInput): Promise<VerifyLoginResult> {
  const { challenge, user } = await loadChallenge(deps, input.appId, input.challengeToken, 'login');
  if (!user.twoFactorEnabled) throw new ChallengeInvalidError();
  // The account first: a locked account answers 429 without spending one of the challenge's attempts.
  const attempt = await reserveAttempt(deps, user);
  if (!attempt) throw new ChallengeInvalidError();
  let challengeAttempts: number;
  try {
    challengeAttempts = await deps.store.reserveChallengeAttempt(challenge.tokenHash, maxAttemptsPerChallenge);
  } catch (error) {
    // The code was never looked at: give the account's attempt back.
    await giveBackAttempt(deps, user, attempt);
    if (error instanceof ConditionFailedError) throw new ChallengeInvalidError();
    throw error;
  }
  const refuse = (): Promise<never> => refuseCode(deps, user, attempt, maxAttemptsPerChallenge - challengeAttempts);
  const releaseChallenge = () => deps.store.releaseChallengeAttempt(challenge.tokenHash);

  return withReservedAttempt(
    deps,
    user,
    attempt,
    async (): Promise<VerifyLoginResult> => {
      const issued = newSession(deps, user, 'two_factor');
      if ('code' in input) {
        const step = await acceptableStep(deps, user, attempt.factor, input.code);
        if (step === null) return refuse();
        try {
          await deps.store.completeLoginWithTotp({ challenge, user, step, session: issued.session });
        } catch (error) {
          return lostRace(error, 'step_used', refuse);
        }
        return signedIn(issued, user);
      }

      const normalized = normalizeBackupCode(input.backupCode);
      const codeSet = await deps.store.getBackupCodeSet(user.id);
      const codeHash = normalized && codeSet ? findHash(await hashBackupCode(normalized, codeSet.salt), codeSet.remainingHashes) : undefined;
      if (!codeSet || !codeHash) return refuse();
      const remainingAsRead = codeSet.remainingHashes.length - 1;
      const audit = auditEvent(deps, user.appId, 'backup_code.used', user.id, user.id, { backupCodesRemaining: remainingAsRead });
      try {
        const remaining = await deps.store.completeLoginWithBackupCode({ challenge, user, setId: codeSet.setId, codeHash, session: issued.session, audit });
        return { ...signedIn(issued, user), backupCodesRemaining: remaining ?? remainingAsRead };
      } catch (error) {
        return lostRace(error, 'backup_code_used', refuse);
      }
    },
    releaseChallenge,
  );
}

/** A lost race on the code itself is a wrong code (already counted); on the challenge or the user, the challenge is dead. */
async function lostRace(error: unknown, codeSpent: string, refuse: () => Promise<never>): Promise<never> {
  if (!(error instanceof ConditionFailedError)) throw error;
  if (error.reason === codeSpent) return refuse();
  throw new ChallengeInvalidError();
}
