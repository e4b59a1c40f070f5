import { ChallengeInvalidError, ConditionFailedError } from '../errors.js';
import { findHash, hashBackupCode } from '../hashing.js';
import { normalizeBackupCode } from '../backup-codes.js';
import type { AuditEvent } from '../model.js';
import type { Dependencies } from '../ports.js';
import { loadChallenge } from './authenticate.js';
import { type IssuedSession, type SignedIn, auditEvent, maxAttemptsPerChallenge, signedIn } from './common.js';
import { type IssuedDevice, deviceView, issueSessionToDevice, liveDeviceById, newDevice, remembered, rotatedDevice } from './devices.js';
import { acceptableStep, giveBackAttempt, refuseCode, reserveAttempt, withReservedAttempt } from './second-factor.js';

export type VerifyLoginInput = { appId: string; challengeToken: string; rememberDevice?: boolean } & (
  { code: string } | { backupCode: string }
);
export type VerifyLoginResult = SignedIn & { backupCodesRemaining?: number };

/**
 * The second step of a login: validate the challenge, reserve an attempt on it and on the device the login
 * presented (or the account), check the code, then spend the code and the challenge and issue the session
 * in one transaction, so no race can spend either twice or check more codes than the limits allow.
 */
export async function verifyLogin(deps: Dependencies, input: VerifyLoginInput): Promise<VerifyLoginResult> {
  const { challenge, user, app } = await loadChallenge(deps, input.appId, input.challengeToken, 'login');
  if (!user.twoFactorEnabled) throw new ChallengeInvalidError();
  const device = await liveDeviceById(deps, user, challenge.deviceId);
  // The count first: a locked count answers 429 without spending one of the challenge's attempts.
  const attempt = await reserveAttempt(deps, user, device);
  if (!attempt) throw new ChallengeInvalidError();
  let challengeAttempts: number;
  try {
    challengeAttempts = await deps.sessions.reserveChallengeAttempt(challenge.tokenHash, maxAttemptsPerChallenge);
  } catch (error) {
    // The code was never looked at: give the attempt back.
    await giveBackAttempt(attempt);
    if (error instanceof ConditionFailedError) throw new ChallengeInvalidError();
    throw error;
  }
  const refuse = (): Promise<never> => refuseCode(deps, user, attempt, maxAttemptsPerChallenge - challengeAttempts);
  const releaseChallenge = () => deps.sessions.releaseChallengeAttempt(challenge.tokenHash);

  // The device the session goes to: the one the login presented (with a new token: only the old one's hash
  // is kept), else a new one; remembered when the user asks and the app allows it.
  const days = app.publishedConfig?.rememberDeviceDays ?? 0;
  const rememberIt = input.rememberDevice === true && days > 0;
  const prepared = (issued: IssuedDevice): IssuedDevice => (rememberIt ? remembered(deps, issued, user, days) : issued);
  const start = prepared(device ? rotatedDevice(deps, device) : newDevice(deps, user));
  const instead = () => prepared(newDevice(deps, user));
  const audits = (to: IssuedDevice): AuditEvent[] =>
    rememberIt ? [auditEvent(deps, user.appId, 'device.remembered', user.id, user.id, { deviceId: to.use.device.id, days })] : [];
  const answer = (result: { issued: IssuedSession; device: IssuedDevice }) =>
    signedIn(result.issued, user, deviceView(result.device, user, app.publishedConfig, deps.clock()));

  return withReservedAttempt(
    attempt,
    async (): Promise<VerifyLoginResult> => {
      if ('code' in input) {
        const step = await acceptableStep(deps, user, attempt.factor, input.code);
        if (step === null) return refuse();
        try {
          const result = await issueSessionToDevice(
            deps,
            user,
            'two_factor',
            start,
            (session, to) =>
              deps.sessions.completeLoginWithTotp({
                challenge,
                user,
                step,
                session: session.session,
                device: to.use,
                countedOn: attempt.countedOn,
                audits: audits(to),
              }),
            instead,
          );
          return answer(result);
        } catch (error) {
          return lostRace(error, 'step_used', refuse);
        }
      }

      const normalized = normalizeBackupCode(input.backupCode);
      const codeSet = await deps.users.getBackupCodeSet(user.id);
      const codeHash =
        normalized && codeSet ? findHash(await hashBackupCode(normalized, codeSet.salt), codeSet.remainingHashes) : undefined;
      if (!codeSet || !codeHash) return refuse();
      const remainingAsRead = codeSet.remainingHashes.length - 1;
      const used = auditEvent(deps, user.appId, 'backup_code.used', user.id, user.id, { backupCodesRemaining: remainingAsRead });
      try {
        // The codes left as the commit counted them (null: not counted).
        const counted: { remaining: number | null } = { remaining: null };
        const result = await issueSessionToDevice(
          deps,
          user,
          'two_factor',
          start,
          async (session, to) => {
            counted.remaining = await deps.sessions.completeLoginWithBackupCode({
              challenge,
              user,
              setId: codeSet.setId,
              codeHash,
              session: session.session,
              device: to.use,
              countedOn: attempt.countedOn,
              audits: [used, ...audits(to)],
            });
          },
          instead,
        );
        return { ...answer(result), backupCodesRemaining: counted.remaining ?? remainingAsRead };
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
