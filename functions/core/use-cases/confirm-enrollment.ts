import { backupCodesFile, generateBackupCodes, normalizeBackupCode, type BackupCodesFile } from '../backup-codes.js';
import {
  catalogue,
  ChallengeInvalidError,
  ConditionFailedError,
  DomainError,
  InvalidCodeError,
  ServiceUnavailableError,
  UnauthorizedError,
} from '../errors.js';
import { hashBackupCode, newBackupCodeSalt } from '../hashing.js';
import type { BackupCodeSet, PendingEnrollment, User } from '../model.js';
import type { Dependencies } from '../ports.js';
import { effectiveMode } from '../plans.js';
import { newId } from '../tokens.js';
import { type ChallengePrincipal, type SessionPrincipal, authenticateForEnrollment } from './authenticate.js';
import { matchCode } from './second-factor.js';
import { type DeviceView, type SignedIn, auditEvent, isExpired, maxAttemptsPerChallenge, sessionView } from './common.js';
import { deviceView, issueSessionToDevice, liveDeviceById, newDevice, rotatedDevice } from './devices.js';

export interface EnrollmentConfirmed {
  status: 'ENABLED';
  backupCodes: string[];
  backupCodesFile: BackupCodesFile;
  session?: SignedIn['session'];
  /** With `session`: the device it was issued to. */
  device?: DeviceView;
}

/**
 * Proves the user's app holds the pending secret and claims the code's time step, then enables the factor,
 * stores its backup codes, ends every other session of the user (an attacker's password session opened
 * before the owner linked an authenticator included) and, on the sign-up/login path, spends the enrollment
 * challenge and issues a session, all in one transaction. A session that confirms goes on, and counts as
 * having just proved a second factor (for step-up).
 */
export async function confirmEnrollment(
  deps: Dependencies,
  input: { appId: string; token: string | null; code: string },
): Promise<EnrollmentConfirmed> {
  const principal = await authenticateForEnrollment(deps, input.appId, input.token);
  const { user, app } = principal;
  if (effectiveMode(app.publishedConfig) === 'off') {
    throw catalogue.twoFactorNotAvailable();
  }
  if (user.twoFactorEnabled) throw catalogue.alreadyEnabled();
  const pending = await deps.users.getPendingEnrollment(user.id);
  if (!pending || isExpired(pending.expiresAt, deps.clock()) || pending.failedAttempts >= maxAttemptsPerChallenge) {
    throw catalogue.noEnrollmentInProgress();
  }

  const match = await matchCode(deps, user, pending.secret, input.code);
  if (!match) {
    const failures = await deps.users.recordEnrollmentFailure(user.id, pending.enrollmentId, maxAttemptsPerChallenge);
    throw new InvalidCodeError(Math.max(0, maxAttemptsPerChallenge - failures));
  }
  // Of parallel confirmations with one code only one goes on to hash ten backup codes: the others find its
  // time step taken, as a replayed code does (RFC 6238 §5.2), and are not counted as guesses.
  const claim = await deps.users.claimEnrollmentStep(user.id, pending.enrollmentId, match.step);
  if (claim === 'enrollment_gone') throw catalogue.noEnrollmentInProgress();
  if (claim === 'step_used') throw new InvalidCodeError(Math.max(0, maxAttemptsPerChallenge - pending.failedAttempts));

  try {
    return await enable(deps, principal, pending, match.step);
  } catch (error) {
    // Nothing was committed: give the time step back, so the user can retry the same code after a 503
    // (the store's own 503s are domain errors too; the other domain errors end the enrollment anyway).
    if (error instanceof ServiceUnavailableError || !(error instanceof DomainError))
      await deps.users.releaseEnrollmentStep(user.id, pending.enrollmentId, match.step).catch(() => undefined);
    throw error;
  }
}

/** Enables the factor with a fresh backup code set (and, on the challenge path, a session), all in one write. */
async function enable(
  deps: Dependencies,
  principal: SessionPrincipal | ChallengePrincipal,
  pending: PendingEnrollment,
  step: number,
): Promise<EnrollmentConfirmed> {
  const { user, app } = principal;
  const now = new Date(deps.clock()).toISOString();
  const codes = generateBackupCodes();
  const backupCodes = await newBackupCodeSet(user, codes, now);
  const confirmation = {
    user,
    pending,
    factor: { userId: user.id, secret: pending.secret, enabledAt: now, lastAcceptedStep: step, failedAttempts: 0, lockedUntil: null },
    backupCodes,
    audit: auditEvent(deps, app.id, 'two_factor.enrolled', user.id, user.id),
  };
  let signedIn: { session: SignedIn['session']; device: DeviceView } | null = null;
  try {
    if (principal.kind === 'challenge') {
      // The confirmation ends every other session (a new generation): the one it issues is of the new one.
      const next = { ...user, generation: user.generation + 1 };
      const known = await liveDeviceById(deps, user, principal.challenge.deviceId);
      const result = await issueSessionToDevice(
        deps,
        next,
        'two_factor',
        known ? rotatedDevice(deps, known) : newDevice(deps, user),
        (issued, device) =>
          deps.users.confirmEnrollment({
            ...confirmation,
            start: { challenge: principal.challenge, session: issued.session, device: device.use },
          }),
      );
      signedIn = { session: sessionView(result.issued), device: deviceView(result.device, next, app.publishedConfig, deps.clock()) };
    } else {
      await deps.users.confirmEnrollment({
        ...confirmation,
        start: { current: { session: principal.session, secondFactorAt: deps.clock() } },
      });
    }
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    if (error.reason === 'already_enabled') throw catalogue.alreadyEnabled();
    if (error.reason === 'enrollment_gone') throw catalogue.noEnrollmentInProgress();
    throw principal.kind === 'challenge' ? new ChallengeInvalidError() : new UnauthorizedError();
  }
  return {
    status: 'ENABLED',
    backupCodes: codes,
    backupCodesFile: backupCodesFile(app.name, user.email, codes, now),
    ...(signedIn ?? {}),
  };
}

/** Hashes a fresh set of codes under one new salt (one hash per check at login, not ten). */
export async function newBackupCodeSet(user: User, codes: readonly string[], createdAt: string): Promise<BackupCodeSet> {
  const salt = newBackupCodeSalt();
  const remainingHashes: string[] = [];
  for (const code of codes) remainingHashes.push(await hashBackupCode(normalizeBackupCode(code) ?? code, salt));
  return { userId: user.id, setId: newId('bcs'), salt, remainingHashes, createdAt };
}
