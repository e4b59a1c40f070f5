import { ChallengeInvalidError, ConditionFailedError, InvalidCodeError, NotFoundError, TooManyAttemptsError } from '../errors.js';
import { findHash, hashBackupCode } from '../hashing.js';
import { normalizeBackupCode } from '../backup-codes.js';
import { attemptsBeforeLockout, lockoutSeconds } from '../lockout.js';
import type { AppRuntime, AuditEvent, BackupCodeSet, Challenge, Device, FailureCount, TotpFactor, User } from '../model.js';
import type { CountedOn, Dependencies } from '../ports.js';
import { hashToken } from '../tokens.js';
import { reserveCountedAttempt } from './attempt-counter.js';
import {
  type IssuedSession,
  type SignedIn,
  auditEvent,
  isExpired,
  loginChallengeIds,
  maxAttemptsPerChallenge,
  signedIn,
} from './common.js';
import { type IssuedDevice, deviceView, isLive, issueSessionToDevice, newDevice, remembered, rotatedDevice } from './devices.js';
import { matchCode } from './second-factor.js';

export type VerifyLoginInput = { appId: string; challengeToken: string; rememberDevice?: boolean } & (
  { code: string } | { backupCode: string }
);
export type VerifyLoginResult = SignedIn & { backupCodesRemaining?: number };

/** A login's second step as read: the challenge, its user and factor, and the count its codes move. */
interface Attempt {
  app: AppRuntime;
  challenge: Challenge;
  user: User;
  factor: TotpFactor;
  /** The live device the login presented: its codes count against it alone. */
  device: Device | null;
  backupCodes: BackupCodeSet | null;
  countedOn: CountedOn;
  seen: FailureCount;
}

/**
 * The second step of a login, in one read and one write. Everything it judges by is read at once (the
 * challenge token names its user and device); the code is judged locally; then one write either commits a
 * right code (spends the step or backup code and the challenge, issues the session) only while the challenge
 * has attempts left and the count it is made against is not locked, or counts a wrong one on the challenge
 * and that count together (the store makes each one conditional write, or one transaction). Parallel guesses
 * get no more chances than the limits allow: a right code that lands after the limit is refused like a wrong one.
 */
export async function verifyLogin(deps: Dependencies, input: VerifyLoginInput): Promise<VerifyLoginResult> {
  const attempt = await readAttempt(deps, input);
  const { app, challenge, user, factor } = attempt;
  refuseWhileLocked(attempt.seen, deps.clock());

  // The device the session goes to: the one the login presented (with a new token: only the old one's hash
  // is kept), else a new one; remembered when the user asks and the app allows it.
  const days = app.publishedConfig?.rememberDeviceDays ?? 0;
  const rememberIt = input.rememberDevice === true && days > 0;
  const prepared = (issued: IssuedDevice): IssuedDevice => (rememberIt ? remembered(deps, issued, user, days) : issued);
  const start = prepared(attempt.device ? rotatedDevice(deps, attempt.device) : newDevice(deps, user));
  const instead = () => prepared(newDevice(deps, user));
  const audits = (to: IssuedDevice): AuditEvent[] =>
    rememberIt ? [auditEvent(deps, user.appId, 'device.remembered', user.id, user.id, { deviceId: to.use.device.id, days })] : [];
  const answer = (result: { issued: IssuedSession; device: IssuedDevice }) =>
    signedIn(result.issued, user, deviceView(result.device, user, app.publishedConfig, deps.clock()));
  const spending = { challenge, user, countedOn: attempt.countedOn };

  if ('code' in input) {
    const match = await matchCode(deps, user, factor.secret, input.code);
    const step = match && match.step > factor.lastAcceptedStep ? match.step : null;
    if (step === null) return countWrongCode(deps, attempt);
    try {
      const result = await issueSessionToDevice(
        deps,
        user,
        'two_factor',
        start,
        (session, to) =>
          deps.sessions.completeLoginWithTotp({
            ...spending,
            factor,
            step,
            session: session.session,
            device: to.use,
            now: deps.clock(),
            audits: audits(to),
          }),
        instead,
      );
      return answer(result);
    } catch (error) {
      return lostRace(deps, attempt, error, 'step_used');
    }
  }

  const normalized = normalizeBackupCode(input.backupCode);
  const codeSet = attempt.backupCodes;
  const codeHash = normalized && codeSet ? findHash(await hashBackupCode(normalized, codeSet.salt), codeSet.remainingHashes) : undefined;
  if (!codeSet || !codeHash) return countWrongCode(deps, attempt);
  const remaining = codeSet.remainingHashes.length - 1;
  const used = auditEvent(deps, user.appId, 'backup_code.used', user.id, user.id, { backupCodesRemaining: remaining });
  try {
    const result = await issueSessionToDevice(
      deps,
      user,
      'two_factor',
      start,
      (session, to) =>
        deps.sessions.completeLoginWithBackupCode({
          ...spending,
          setId: codeSet.setId,
          codeHash,
          session: session.session,
          device: to.use,
          now: deps.clock(),
          audits: [used, ...audits(to)],
        }),
      instead,
    );
    return { ...answer(result), backupCodesRemaining: remaining };
  } catch (error) {
    return lostRace(deps, attempt, error, 'backup_code_used');
  }
}

/**
 * Reads everything the step judges by in one round trip and checks it belongs together: a live login
 * challenge of this app, naming the user (of the generation it was issued under, with 2FA on) and the
 * device the token names. The token names them; one that does not (an older shape) finds no challenge.
 */
async function readAttempt(deps: Dependencies, input: VerifyLoginInput): Promise<Attempt> {
  const challengeHash = hashToken(input.challengeToken);
  const ids = loginChallengeIds(input.challengeToken);
  if (!ids) throw new ChallengeInvalidError();
  const read = await deps.sessions.readLoginAttempt({
    appId: input.appId,
    challengeHash,
    userId: ids.userId,
    deviceId: ids.deviceId,
    backupCodes: 'backupCode' in input,
  });
  const { challenge, user, factor } = read;
  if (
    !challenge ||
    challenge.appId !== input.appId ||
    challenge.purpose !== 'login' ||
    challenge.userId !== ids.userId ||
    challenge.deviceId !== ids.deviceId ||
    challenge.failedAttempts >= maxAttemptsPerChallenge ||
    isExpired(challenge.expiresAt, deps.clock())
  ) {
    throw new ChallengeInvalidError();
  }
  // The app was in the same read: gone, it answers 404 as `requireApp` would, without reading it again.
  const app = read.app;
  if (!app) throw new NotFoundError('The app');
  if (!user || user.appId !== input.appId || user.generation !== challenge.generation || !user.twoFactorEnabled || !factor) {
    throw new ChallengeInvalidError();
  }
  const device = read.device && isLive(deps, read.device, user) ? read.device : null;
  return {
    app,
    challenge,
    user,
    factor,
    device,
    backupCodes: read.backupCodes,
    ...(device
      ? { countedOn: { kind: 'device', deviceId: device.id }, seen: device.secondFactorFailures }
      : { countedOn: { kind: 'account' }, seen: { failedAttempts: factor.failedAttempts, lockedUntil: factor.lockedUntil } }),
  };
}

function refuseWhileLocked(count: FailureCount, now: number): void {
  if (count.lockedUntil !== null && count.lockedUntil > now) throw new TooManyAttemptsError(Math.ceil((count.lockedUntil - now) / 1000));
}

/**
 * Counts a wrong code on the challenge and on the attempt's count in one transaction (with the lockout's
 * audit entry when it locks), then answers `invalid_code` with the attempts left, or 429 when it locked.
 * When another request moved the count first, it is read again and the move retried.
 */
async function countWrongCode(deps: Dependencies, attempt: Attempt): Promise<never> {
  const { challenge, user } = attempt;
  let countedOn = attempt.countedOn;
  let firstRead: FailureCount | null = attempt.seen;
  const counted = await reserveCountedAttempt(
    deps.clock,
    async () => {
      const seen = firstRead ?? (await rereadCount(deps, user, countedOn));
      firstRead = null;
      // The device was forgotten meanwhile: count on the account, as for any unknown client.
      if (seen === null && countedOn.kind === 'device') {
        countedOn = { kind: 'account' };
        return rereadCount(deps, user, countedOn);
      }
      return seen;
    },
    async (seen, next) => {
      const lockSeconds = lockoutSeconds(next.failedAttempts);
      const lockout =
        lockSeconds > 0
          ? auditEvent(deps, user.appId, 'two_factor.locked_out', user.id, user.id, {
              retryAfterSeconds: lockSeconds,
              consecutiveFailures: next.failedAttempts,
              lockedOn: countedOn.kind,
            })
          : null;
      const outcome = await deps.sessions.countLoginFailure({ challenge, userId: user.id, countedOn, seen, next, lockout });
      if (outcome === 'challenge_spent') throw new ChallengeInvalidError();
      return outcome === 'counted';
    },
  );
  // The factor was removed meanwhile (a reset): the challenge is dead.
  if (!counted) throw new ChallengeInvalidError();
  if (counted.lockSeconds > 0) throw new TooManyAttemptsError(counted.lockSeconds);
  const challengeAttemptsLeft = maxAttemptsPerChallenge - (challenge.failedAttempts + 1);
  throw new InvalidCodeError(Math.max(0, Math.min(attemptsBeforeLockout(counted.next.failedAttempts), challengeAttemptsLeft)));
}

async function rereadCount(deps: Dependencies, user: User, countedOn: CountedOn): Promise<FailureCount | null> {
  if (countedOn.kind === 'device') {
    const device = await deps.sessions.getDevice(user.id, countedOn.deviceId);
    return device && isLive(deps, device, user) ? device.secondFactorFailures : null;
  }
  const factor = await deps.users.getTotpFactor(user.id);
  return factor ? { failedAttempts: factor.failedAttempts, lockedUntil: factor.lockedUntil } : null;
}

/**
 * A right code whose commit was refused: spent meanwhile by a parallel request (`codeSpent`), it was one
 * more guess and is counted as wrong; the count locked meanwhile, it answers 429; the challenge or the user
 * changed, the challenge is dead.
 */
async function lostRace(deps: Dependencies, attempt: Attempt, error: unknown, codeSpent: 'step_used' | 'backup_code_used'): Promise<never> {
  if (!(error instanceof ConditionFailedError)) throw error;
  if (error.reason === codeSpent) return countWrongCode(deps, attempt);
  if (error.reason === 'count_locked') {
    refuseWhileLocked((await rereadCount(deps, attempt.user, attempt.countedOn)) ?? attempt.seen, deps.clock());
    return countWrongCode(deps, attempt);
  }
  throw new ChallengeInvalidError();
}
