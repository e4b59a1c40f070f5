import { InvalidCredentialsError, ConditionFailedError, NotFoundError, ServiceUnavailableError, TooManyAttemptsError } from '../errors.js';
import { spendPasswordCheck, verifyPassword } from '../hashing.js';
import type { FailureCount, User } from '../model.js';
import { lockoutSeconds, noFailures, passwordFailuresLifetimeSeconds } from '../lockout.js';
import type { CountedOn, Dependencies } from '../ports.js';
import { reserveCountedAttempt } from './attempt-counter.js';
import { enforcementFor } from '../enforcement.js';
import { effectiveMode } from '../plans.js';
import {
  type PasswordStepResult,
  anonymousActor,
  auditEvent,
  challengeIssued,
  newChallenge,
  normalizeEmail,
  signedInWithOffer,
} from './common.js';
import {
  deviceIdOf,
  deviceView,
  isLive,
  issueSessionToDevice,
  newDevice,
  presentedDevice,
  presentedLiveDevice,
  rememberedUntil,
} from './devices.js';

export type LogInResult = PasswordStepResult;

/**
 * Checks the password, then decides by the published config: enrolled users owe a second factor whenever
 * 2FA is on (unless the login presents a device remembered for it); users without one for whom 2FA is
 * required (under `required`, or for their role) must enroll before they get a session once their grace
 * period is over, and get a session carrying `enrollBy` while it runs.
 *
 * Two reads (the app, the email's claim and its failure count at once; then the user and the presented
 * device), one hash, one write. A login presenting a live device of the user counts its failures against
 * that device alone; any other is an unknown client and counts against the email, whether or not a user has
 * it: unknown emails, wrong passwords and locked accounts look alike from outside, both refusals cost the same
 * reads, one hash and the same write, and an attacker's failures never lock the owner out of their devices.
 * Every checked password is counted by one compare-and-set of its count: a wrong one moves it, a right one
 * commits only while it is not locked, so parallel guesses get no more chances than the lockout allows.
 */
export async function logIn(deps: Dependencies, input: LogInInput): Promise<LogInResult> {
  try {
    return await logInOnce(deps, input);
  } catch (error) {
    // The user's factor was removed or replaced (a reset, a new enrollment) between the read and the write of
    // its challenge: nothing was written; the login starts over from what is there now.
    if (!(error instanceof ConditionFailedError && error.reason === 'user_changed')) throw error;
  }
  try {
    return await logInOnce(deps, input);
  } catch (error) {
    if (error instanceof ConditionFailedError && error.reason === 'user_changed') throw new ServiceUnavailableError({ cause: error });
    throw error;
  }
}

type LogInInput = { appId: string; email: string; password: string; deviceToken?: string };

async function logInOnce(deps: Dependencies, input: LogInInput): Promise<LogInResult> {
  const email = normalizeEmail(input.email);
  const first = await deps.users.readPasswordStep(input.appId, email);
  const app = first.app;
  if (!app) throw new NotFoundError('The app');
  const read = await deps.users.readUserWithDevice(first.userId ?? 'usr_none', deviceIdOf(input.deviceToken));
  const user = read.user && read.user.appId === app.id ? read.user : null;
  const device = presentedLiveDevice(deps, user, read.device, input.deviceToken);
  const count: Count = device
    ? { countedOn: { kind: 'device', deviceId: device.id }, seen: device.passwordFailures }
    : { countedOn: { kind: 'account' }, seen: first.emailFailures ?? noFailures };
  refuseWhileLocked(count.seen, deps.clock());

  const passwordMatches = user
    ? await verifyPassword(input.password, user.passwordHash)
    : (await spendPasswordCheck(input.password), false);
  const userHasFactor = read.challengeRoom !== null;
  if (!user || !passwordMatches) return countWrongPassword(deps, { appId: app.id, email, user, count, userHasFactor });

  const mode = effectiveMode(app.publishedConfig);
  const now = deps.clock();
  const rememberedDevice = device && rememberedUntil(device, user, app.publishedConfig, now) !== null ? device : null;
  const commit = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof ConditionFailedError && error.reason === 'count_locked')) throw error;
      // Parallel wrong guesses locked the count after it was read: this password is one guess too many.
      refuseWhileLocked((await rereadCount(deps, app.id, email, user, count.countedOn)) ?? count.seen, deps.clock());
      return countWrongPassword(deps, { appId: app.id, email, user, count, userHasFactor });
    }
  };

  const enforcement = enforcementFor(app.publishedConfig, user, now);
  const challengeFor =
    mode !== 'off' && user.twoFactorEnabled && !rememberedDevice ? 'login' : enforcement.kind === 'enforced' ? 'enrollment' : null;
  // A presented device forgotten meanwhile (another tab signed out everywhere) makes the write fail with
  // `device_changed`: the login goes on as an unknown client's, clearing the email's count instead.
  const onAccount: CountedOn = { kind: 'account' };
  if (challengeFor) {
    const challengeOn = async (countedOn: CountedOn, seen: FailureCount, deviceId: string | null) => {
      const issued = newChallenge(deps, user, challengeFor, deviceId);
      const start = { challenge: issued.challenge, room: read.challengeRoom, seen };
      await commit(() => deps.sessions.completePasswordStep({ user, countedOn, now, start }));
      return issued;
    };
    const issued = await challengeOn(count.countedOn, count.seen, device?.id ?? null).catch((error: unknown) => {
      if (error instanceof ConditionFailedError && error.reason === 'device_changed')
        return challengeOn(onAccount, first.emailFailures ?? noFailures, null);
      throw error;
    });
    return challengeFor === 'login' ? challengeIssued(issued, app.publishedConfig?.rememberDeviceDays) : challengeIssued(issued);
  }
  const assurance = rememberedDevice ? 'remembered_device' : 'password';
  const start = device && input.deviceToken ? presentedDevice(deps, device, input.deviceToken) : newDevice(deps, user);
  const { issued, device: used } = await commit(() =>
    issueSessionToDevice(deps, user, assurance, start, (session, to) =>
      deps.sessions.completePasswordStep({
        user,
        countedOn: to.use.kind === 'new' ? onAccount : count.countedOn,
        now,
        start: { session: session.session, device: to.use },
      }),
    ),
  );
  return signedInWithOffer(issued, user, deviceView(used, user, app.publishedConfig, now), mode, enforcement);
}

/** The failure count a password attempt moves (the presented device's, or the email's) as read. */
interface Count {
  countedOn: CountedOn;
  seen: FailureCount;
}

function refuseWhileLocked(count: FailureCount, now: number): void {
  if (count.lockedUntil !== null && count.lockedUntil > now) throw new TooManyAttemptsError(Math.ceil((count.lockedUntil - now) / 1000));
}

/**
 * Counts a wrong password in one write (with the lockout's audit entry when it locks; recorded for unknown
 * emails too, so the admin sees credential stuffing and both refusals make the same writes), then answers
 * 401, or 429 when it locked. When another request moved the count first, it is read again and the move retried.
 */
async function countWrongPassword(
  deps: Dependencies,
  attempt: { appId: string; email: string; user: User | null; count: Count; userHasFactor: boolean },
): Promise<never> {
  const { appId, email, user } = attempt;
  let { countedOn } = attempt.count;
  let firstRead: FailureCount | null = attempt.count.seen;
  const counted = await reserveCountedAttempt(
    deps.clock,
    async () => {
      const seen = firstRead ?? (await rereadCount(deps, appId, email, user, countedOn));
      firstRead = null;
      if (seen !== null) return seen;
      // The device was forgotten meanwhile: count on the email, as for any unknown client.
      countedOn = { kind: 'account' };
      return (await rereadCount(deps, appId, email, user, countedOn)) ?? noFailures;
    },
    async (seen, next) => {
      const lockSeconds = lockoutSeconds(next.failedAttempts);
      const lockout =
        lockSeconds > 0
          ? auditEvent(deps, appId, 'password.locked_out', anonymousActor, user?.id ?? null, {
              retryAfterSeconds: lockSeconds,
              consecutiveFailures: next.failedAttempts,
              lockedOn: countedOn.kind,
            })
          : null;
      const expiresAt = Math.ceil(Math.max(deps.clock(), next.lockedUntil ?? 0) / 1000) + passwordFailuresLifetimeSeconds;
      const outcome = await deps.users.countPasswordFailure({
        appId,
        email,
        userId: user?.id ?? null,
        countedOn,
        seen,
        next,
        expiresAt,
        lockout,
        userHasFactor: attempt.userHasFactor,
      });
      return outcome === 'counted';
    },
  );
  if (counted.lockSeconds > 0) throw new TooManyAttemptsError(counted.lockSeconds);
  throw new InvalidCredentialsError();
}

/** The count as it is now; null when the device it was on is no longer a live device of the user. */
async function rereadCount(
  deps: Dependencies,
  appId: string,
  email: string,
  user: User | null,
  countedOn: CountedOn,
): Promise<FailureCount | null> {
  if (countedOn.kind === 'account') return (await deps.users.getPasswordFailures(appId, email)) ?? noFailures;
  if (!user) return null;
  const device = await deps.sessions.getDevice(user.id, countedOn.deviceId);
  return device && isLive(deps, device, user) ? device.passwordFailures : null;
}
