import { InvalidCredentialsError, TooManyAttemptsError } from '../errors.js';
import { spendPasswordCheck, verifyPassword } from '../hashing.js';
import type { Device, FailureCount, User } from '../model.js';
import { noFailures, passwordFailuresLifetimeSeconds } from '../lockout.js';
import type { CountedOn, Dependencies } from '../ports.js';
import { type MoveCount, reserveCountedAttempt } from './attempt-counter.js';
import { recordLockout } from './second-factor.js';
import { effectiveMode } from '../plans.js';
import {
  type PasswordStepResult,
  anonymousActor,
  challengeIssued,
  newChallenge,
  normalizeEmail,
  requireApp,
  signedInWithOffer,
} from './common.js';
import { deviceView, issueSessionToDevice, knownDevice, newDevice, presentedDevice, rememberedUntil } from './devices.js';

export type LogInResult = PasswordStepResult;

/**
 * Checks the password, then decides by the published mode: enrolled users owe a second factor whenever
 * 2FA is on (unless the login presents a device remembered for it); under `required`, users without one
 * must enroll before they get a session.
 *
 * Every password attempt is counted before the password is checked (the same lockout as the second
 * factor). A login presenting a live device of the user counts against that device alone; any other is an
 * unknown client and counts against the email, whether or not a user has it: unknown emails, wrong
 * passwords and locked accounts look alike from outside, both refusals cost one password hash, and an
 * attacker's failures never lock the owner out of their own devices.
 */
export async function logIn(
  deps: Dependencies,
  input: { appId: string; email: string; password: string; deviceToken?: string },
): Promise<LogInResult> {
  const app = await requireApp(deps, input.appId);
  const email = normalizeEmail(input.email);
  const user = await deps.users.findUserByEmail(app.id, email);
  const device = await knownDevice(deps, user, input.deviceToken);
  const count = passwordCount(deps, app.id, email, user, device);
  const attempt = await reserveCountedAttempt(deps.clock, count.read, count.move);

  const passwordMatches = user
    ? await verifyPassword(input.password, user.passwordHash)
    : (await spendPasswordCheck(input.password), false);
  if (!user || !passwordMatches) {
    if (attempt.lockSeconds === 0) throw new InvalidCredentialsError();
    // Recorded for unknown emails too (no target user): the admin sees credential stuffing, and the two
    // refusals do the same writes, so timing or a failed write tells nothing about the email.
    await recordLockout(
      deps,
      { appId: app.id, targetUserId: user?.id ?? null, actorId: anonymousActor },
      'password.locked_out',
      attempt,
      count.countedOn,
    );
    throw new TooManyAttemptsError(attempt.lockSeconds);
  }
  await count.clear(attempt.next);

  const mode = effectiveMode(app.publishedConfig);
  const now = deps.clock();
  const rememberedDevice = device && rememberedUntil(device, user, app.publishedConfig, now) !== null ? device : null;
  if (mode !== 'off' && user.twoFactorEnabled && !rememberedDevice) {
    const issued = newChallenge(deps, user, 'login', device?.id ?? null);
    await deps.sessions.putChallenge(issued.challenge);
    return challengeIssued(issued, app.publishedConfig?.rememberDeviceDays);
  }
  if (mode === 'required' && !user.twoFactorEnabled) {
    const issued = newChallenge(deps, user, 'enrollment', device?.id ?? null);
    await deps.sessions.putChallenge(issued.challenge);
    return challengeIssued(issued);
  }
  const assurance = rememberedDevice ? 'remembered_device' : 'password';
  const start = device && input.deviceToken ? presentedDevice(deps, device, input.deviceToken) : newDevice(deps, user);
  const { issued, device: used } = await issueSessionToDevice(deps, user, assurance, start, (session, to) =>
    deps.sessions.issueSession(session.session, to.use),
  );
  return signedInWithOffer(issued, user, deviceView(used, user, app.publishedConfig, now), mode);
}

/** A failure count a password attempt moves, where it lives, and how a right password clears it. */
interface PasswordCount {
  countedOn: CountedOn;
  read: () => Promise<FailureCount>;
  move: MoveCount;
  clear: (seen: FailureCount) => Promise<void>;
}

/** The failure count a password attempt moves: the presented device's, or the email's. */
function passwordCount(deps: Dependencies, appId: string, email: string, user: User | null, device: Device | null): PasswordCount {
  if (user && device) {
    let firstRead: FailureCount | null = device.passwordFailures;
    const move: MoveCount = (seen, next) => deps.sessions.moveDeviceFailures(user.id, device.id, 'passwordFailures', seen, next);
    return {
      countedOn: { kind: 'device', deviceId: device.id },
      read: async () => {
        const seen = firstRead ?? (await deps.sessions.getDevice(user.id, device.id))?.passwordFailures ?? noFailures;
        firstRead = null;
        return seen;
      },
      move,
      clear: (seen) => move(seen, noFailures).then(() => undefined),
    };
  }
  return {
    countedOn: { kind: 'account' },
    read: async () => (await deps.users.getPasswordFailures(appId, email)) ?? noFailures,
    move: (seen, next) => {
      const expiresAt = Math.ceil(Math.max(deps.clock(), next.lockedUntil ?? 0) / 1000) + passwordFailuresLifetimeSeconds;
      return deps.users.movePasswordFailures(appId, email, seen, next, expiresAt);
    },
    clear: () => deps.users.clearPasswordFailures(appId, email),
  };
}
