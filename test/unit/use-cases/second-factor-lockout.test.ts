import { jest } from '@jest/globals';
import { SecretUnreadableError } from '../../../functions/core/errors.js';
import { hashToken, newToken } from '../../../functions/core/tokens.js';
import { newChallenge } from '../../../functions/core/use-cases/common.js';
import { forgetDevice } from '../../../functions/core/use-cases/devices.js';
import { disableTwoFactor } from '../../../functions/core/use-cases/disable-two-factor.js';
import { regenerateBackupCodes } from '../../../functions/core/use-cases/regenerate-backup-codes.js';
import { stepUp } from '../../../functions/core/use-cases/step-up.js';
import { verifyLogin } from '../../../functions/core/use-cases/verify-login.js';
import {
  type EnrolledUser,
  Gate,
  type SeededApp,
  World,
  accountCount,
  auditEntries,
  codeAt,
  minuteMs,
  outcomeOf,
  seedApp,
  seedEnrolledUser,
  seedEnrollmentChallenge,
  seedLoginChallenge,
  setAccountCount,
  setDeviceCount,
  tally,
  wrongCodeAt,
} from '../../support/domain/world.js';

/**
 * The second factor's brute-force rules (README, Design: Brute force): a login challenge survives 5 wrong
 * codes; every 10th consecutive wrong code locks the second factor, 60 s doubling to 900 s, on the account
 * (unknown clients and sessions) or on the device a login presented; parallel guesses get no more than the
 * limits allow; and an attempt whose code was never judged (a dependency failed) is not counted.
 */

let world: World;
let seeded: SeededApp;
let user: EnrolledUser;

beforeEach(async () => {
  world = new World();
  seeded = await seedApp(world, { published: { mode: 'optional' } });
  user = await seedEnrolledUser(world, seeded.app);
});

const rightCode = () => codeAt(user.secret, world.now);
const wrongCode = () => wrongCodeAt(user.secret, world.now);
const verify = (challengeToken: string, code: string) => verifyLogin(world.deps, { appId: seeded.app.id, challengeToken, code });
const challengeFailures = async (token: string) => (await world.deps.sessions.getChallenge(hashToken(token)))?.failedAttempts;

describe('verifyLogin: one login challenge', () => {
  it('survives 5 wrong codes, each answered with the attempts left, then refuses even the right code', async () => {
    // Prepare
    const challenge = await seedLoginChallenge(world, user.user);

    // Act
    const refusals: unknown[] = [];
    for (let guess = 1; guess <= 6; guess++) refusals.push(await verify(challenge, wrongCode()).catch((error: unknown) => error));
    const right = await outcomeOf(verify(challenge, rightCode()));

    // Assess
    expect(refusals.slice(0, 5)).toEqual(
      [4, 3, 2, 1, 0].map((attemptsRemaining) => expect.objectContaining({ code: 'invalid_code', details: { attemptsRemaining } })),
    );
    expect(refusals[5]).toMatchObject({ code: 'challenge_invalid' });
    expect(right).toBe('challenge_invalid');
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 5, lockedUntil: null });
  });

  it('expires after 5 minutes', async () => {
    // Prepare
    const challenge = await seedLoginChallenge(world, user.user);
    world.advance(5 * minuteMs);

    // Act
    const right = await outcomeOf(verify(challenge, rightCode()));

    // Assess
    expect(right).toBe('challenge_invalid');
  });
  it.each([
    { token: 'an enrollment challenge', challenge: () => seedEnrollmentChallenge(world, user.user) },
    {
      token: 'a login challenge of another app',
      challenge: async () => {
        const other = await seedApp(world, { published: { mode: 'optional' } });
        return seedLoginChallenge(world, (await seedEnrolledUser(world, other.app)).user);
      },
    },
    { token: 'a token that is no challenge', challenge: () => Promise.resolve('not-a-challenge') },
  ])('refuses $token with challenge_invalid, counting nothing', async ({ challenge }) => {
    // Prepare
    const token = await challenge();

    // Act
    const result = await outcomeOf(verify(token, rightCode()));

    // Assess
    expect(result).toBe('challenge_invalid');
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 0, lockedUntil: null });
  });

  it('refuses a challenge token of the older shape, which names neither user nor device (login challenges are found through it)', async () => {
    // Prepare
    const issued = newChallenge(world.deps, user.user, 'login');
    const olderToken = newToken();
    await world.deps.sessions.putChallenge({ ...issued.challenge, tokenHash: hashToken(olderToken) });

    // Act
    const result = await verify(olderToken, rightCode()).catch((error: unknown) => (error as { code?: string }).code);

    // Assess
    expect(result).toBe('challenge_invalid');
  });
});

describe('verifyLogin: the account’s second-factor lockout', () => {
  it('locks on the 10th consecutive wrong code across challenges for 60 s, refusing the right code until then', async () => {
    // Prepare
    const [first, second, third] = [
      await seedLoginChallenge(world, user.user),
      await seedLoginChallenge(world, user.user),
      await seedLoginChallenge(world, user.user),
    ];

    // Act
    const outcomes: string[] = [];
    for (let guess = 1; guess <= 5; guess++) outcomes.push(await outcomeOf(verify(first, wrongCode())));
    for (let guess = 6; guess <= 9; guess++) outcomes.push(await outcomeOf(verify(second, wrongCode())));
    const tenth = await verify(second, wrongCode()).catch((error: unknown) => error);
    world.advance(59_000);
    const whileLocked = await verify(third, rightCode()).catch((error: unknown) => error);

    // Assess
    expect(outcomes).toEqual(Array<string>(9).fill('invalid_code'));
    expect(tenth).toMatchObject({ code: 'too_many_attempts', details: { retryAfterSeconds: 60 } });
    expect(whileLocked).toMatchObject({ code: 'too_many_attempts', details: { retryAfterSeconds: 1 } });
    await expect(challengeFailures(third)).resolves.toBe(0);
    const lockouts = await auditEntries(world, seeded.app.id, 'two_factor.locked_out');
    expect(lockouts.map((event) => event.detail)).toEqual([{ retryAfterSeconds: 60, consecutiveFailures: 10, lockedOn: 'account' }]);
  });

  it('does not lock again on the first wrong code once a lock has expired, and the right code then clears the count', async () => {
    // Prepare: the 10th failure locked the account a minute ago; the lock ends exactly now.
    await setAccountCount(world, user.user.id, { failedAttempts: 10, lockedUntil: world.now + minuteMs });
    world.advance(minuteMs);
    const challenge = await seedLoginChallenge(world, user.user);

    // Act
    const wrong = await verify(challenge, wrongCode()).catch((error: unknown) => error);
    const afterWrong = await accountCount(world, user.user.id);
    const right = await verify(challenge, rightCode());

    // Assess
    expect(wrong).toMatchObject({ code: 'invalid_code', details: { attemptsRemaining: 4 } });
    expect(afterWrong).toEqual({ failedAttempts: 11, lockedUntil: null });
    expect(right.session.assurance).toBe('two_factor');
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 0, lockedUntil: null });
  });

  it.each([
    { failure: 10, seconds: 60 },
    { failure: 20, seconds: 120 },
    { failure: 30, seconds: 240 },
    { failure: 40, seconds: 480 },
    { failure: 50, seconds: 900 },
    { failure: 100, seconds: 900 },
  ])('locks for $seconds s on consecutive wrong code number $failure (a step-up’s counts as a login’s)', async ({ failure, seconds }) => {
    // Prepare
    await setAccountCount(world, user.user.id, { failedAttempts: failure - 1, lockedUntil: null });

    // Act
    const refusal = await stepUp(world.deps, { appId: seeded.app.id, token: user.sessionToken, code: wrongCode() }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(refusal).toMatchObject({ code: 'too_many_attempts', details: { retryAfterSeconds: seconds } });
    await expect(accountCount(world, user.user.id)).resolves.toEqual({
      failedAttempts: failure,
      lockedUntil: world.now + seconds * 1000,
    });
  });
});

describe('verifyLogin: codes counted on a device', () => {
  it('counts wrong codes at a challenge that carries the user’s device against that device alone', async () => {
    // Prepare
    await setDeviceCount(world, user, 'secondFactorFailures', { failedAttempts: 9, lockedUntil: null });
    const onDevice = await seedLoginChallenge(world, user.user, user.deviceId);
    const onDeviceAgain = await seedLoginChallenge(world, user.user, user.deviceId);
    const elsewhere = await seedLoginChallenge(world, user.user);

    // Act
    const tenth = await verify(onDevice, wrongCode()).catch((error: unknown) => error);
    const rightOnLockedDevice = await outcomeOf(verify(onDeviceAgain, rightCode()));
    const rightElsewhere = await verify(elsewhere, rightCode());

    // Assess
    expect(tenth).toMatchObject({ code: 'too_many_attempts', details: { retryAfterSeconds: 60 } });
    expect(rightOnLockedDevice).toBe('too_many_attempts');
    expect(rightElsewhere.session.assurance).toBe('two_factor');
    const [lockout] = await auditEntries(world, seeded.app.id, 'two_factor.locked_out');
    expect(lockout?.detail).toMatchObject({ lockedOn: 'device' });
  });

  it('never locks the owner’s device out with wrong codes from unknown clients', async () => {
    // Prepare
    await setAccountCount(world, user.user.id, { failedAttempts: 9, lockedUntil: null });
    const elsewhere = await seedLoginChallenge(world, user.user);
    const onDevice = await seedLoginChallenge(world, user.user, user.deviceId);

    // Act
    const tenth = await outcomeOf(verify(elsewhere, wrongCode()));
    const fromDevice = await verify(onDevice, rightCode());

    // Assess
    expect(tenth).toBe('too_many_attempts');
    expect(fromDevice.device.id).toBe(user.deviceId);
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 10, lockedUntil: world.now + minuteMs });
  });
  it('clears the device’s count, not the account’s, with a right code at the device’s challenge', async () => {
    // Prepare
    await setDeviceCount(world, user, 'secondFactorFailures', { failedAttempts: 5, lockedUntil: null });
    await setAccountCount(world, user.user.id, { failedAttempts: 5, lockedUntil: null });
    const onDevice = await seedLoginChallenge(world, user.user, user.deviceId);

    // Act
    await verify(onDevice, rightCode());

    // Assess
    await expect(world.deps.sessions.getDevice(user.user.id, user.deviceId)).resolves.toMatchObject({
      secondFactorFailures: { failedAttempts: 0, lockedUntil: null },
    });
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 5, lockedUntil: null });
  });

  it('counts on the account once the device a challenge carries has been forgotten', async () => {
    // Prepare
    const onDevice = await seedLoginChallenge(world, user.user, user.deviceId);
    await forgetDevice(world.deps, { appId: seeded.app.id, token: user.sessionToken, deviceId: user.deviceId });

    // Act
    const wrong = await outcomeOf(verify(onDevice, wrongCode()));

    // Assess
    expect(wrong).toBe('invalid_code');
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 1, lockedUntil: null });
  });
});

describe('parallel guesses', () => {
  it.each([
    {
      via: 'login challenges (6 of 5 guesses each)',
      guesses: async () => {
        const challenges = await Promise.all(Array.from({ length: 6 }, () => seedLoginChallenge(world, user.user)));
        return challenges.flatMap((challenge) => Array.from({ length: 5 }, () => () => verify(challenge, wrongCode())));
      },
    },
    {
      via: 'step-ups of one session',
      guesses: () =>
        Promise.resolve(
          Array.from({ length: 30 }, () => () => stepUp(world.deps, { appId: seeded.app.id, token: user.sessionToken, code: wrongCode() })),
        ),
    },
  ])('of 30 wrong codes at once through $via, count exactly 10: 9 invalid_code, then 429', async ({ guesses }) => {
    // Prepare
    const calls = await guesses();

    // Act
    const outcomes = await Promise.all(calls.map((call) => outcomeOf(call())));

    // Assess
    expect(tally(outcomes)).toEqual({ invalid_code: 9, too_many_attempts: 21 });
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 10, lockedUntil: world.now + minuteMs });
    await expect(auditEntries(world, seeded.app.id, 'two_factor.locked_out')).resolves.toHaveLength(1);
  });

  it('refuses a right code whose commit lands after parallel wrong codes locked the account', async () => {
    // Prepare: the right code is judged, then held before its write while a wrong one locks the account.
    await setAccountCount(world, user.user.id, { failedAttempts: 9, lockedUntil: null });
    const [held, other] = [await seedLoginChallenge(world, user.user), await seedLoginChallenge(world, user.user)];
    const commit = world.deps.sessions.completeLoginWithTotp.bind(world.deps.sessions);
    const gate = new Gate();
    jest.spyOn(world.deps.sessions, 'completeLoginWithTotp').mockImplementationOnce(async (input) => {
      await gate.pass();
      return commit(input);
    });
    const right = outcomeOf(verify(held, rightCode()));
    await gate.reachedBy(right);

    // Act
    const wrong = await outcomeOf(verify(other, wrongCode()));
    gate.open();

    // Assess
    expect(wrong).toBe('too_many_attempts');
    await expect(right).resolves.toBe('too_many_attempts');
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 10, lockedUntil: world.now + minuteMs });
    await expect(world.deps.users.getTotpFactor(user.user.id)).resolves.toMatchObject({ lastAcceptedStep: 0 });
  });
});

describe('attempts whose code was never judged', () => {
  it.each([
    { step: 'step-up', send: (code: string) => stepUp(world.deps, { appId: seeded.app.id, token: user.sessionToken, code }) },
    {
      step: 'backup-code regeneration',
      send: (code: string) => regenerateBackupCodes(world.deps, { appId: seeded.app.id, token: user.sessionToken, code }),
    },
    {
      step: '2FA disable',
      send: (code: string) => disableTwoFactor(world.deps, { appId: seeded.app.id, token: user.sessionToken, code }),
    },
  ])('gives back the attempt of a $step whose secret box failed (the count is unchanged)', async ({ send }) => {
    // Prepare
    await setAccountCount(world, user.user.id, { failedAttempts: 3, lockedUntil: null });
    jest.spyOn(world.secrets, 'open').mockRejectedValueOnce(new Error('key service unreachable'));

    // Act
    const failure = await send(rightCode()).catch((error: unknown) => error);

    // Assess
    expect(failure).toEqual(new Error('key service unreachable'));
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 3, lockedUntil: null });
  });

  it('gives back the attempt of a backup-code step-up whose code set could not be read', async () => {
    // Prepare
    await setAccountCount(world, user.user.id, { failedAttempts: 3, lockedUntil: null });
    jest.spyOn(world.deps.users, 'getBackupCodeSet').mockRejectedValueOnce(new Error('table unavailable'));

    // Act
    const failure = await stepUp(world.deps, { appId: seeded.app.id, token: user.sessionToken, backupCode: user.backupCodes[0]! }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(failure).toEqual(new Error('table unavailable'));
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 3, lockedUntil: null });
  });

  it('keeps a judged wrong code counted when its lockout’s audit entry cannot be written (503, the lock holds)', async () => {
    // Prepare
    await setAccountCount(world, user.user.id, { failedAttempts: 9, lockedUntil: null });
    jest.spyOn(world.deps.users, 'recordLockout').mockRejectedValueOnce(new Error('table unavailable'));

    // Act
    const tenth = await outcomeOf(stepUp(world.deps, { appId: seeded.app.id, token: user.sessionToken, code: wrongCode() }));
    const next = await outcomeOf(stepUp(world.deps, { appId: seeded.app.id, token: user.sessionToken, code: rightCode() }));

    // Assess
    expect([tenth, next]).toEqual(['service_unavailable', 'too_many_attempts']);
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 10, lockedUntil: world.now + minuteMs });
  });

  it('counts a code checked against a sealed secret that does not open for the user as a wrong one', async () => {
    // Prepare
    await setAccountCount(world, user.user.id, { failedAttempts: 3, lockedUntil: null });
    jest.spyOn(world.secrets, 'open').mockRejectedValueOnce(new SecretUnreadableError());

    // Act
    const refusal = await stepUp(world.deps, { appId: seeded.app.id, token: user.sessionToken, code: rightCode() }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(refusal).toMatchObject({ code: 'invalid_code', details: { attemptsRemaining: 6 } });
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 4, lockedUntil: null });
  });

  it('writes nothing for a login code whose secret box failed, so the same code signs in on retry', async () => {
    // Prepare
    const challenge = await seedLoginChallenge(world, user.user);
    jest.spyOn(world.secrets, 'open').mockRejectedValueOnce(new Error('key service unreachable'));

    // Act
    const failure = await verify(challenge, rightCode()).catch((error: unknown) => error);
    const retried = await verify(challenge, rightCode());

    // Assess
    expect(failure).toEqual(new Error('key service unreachable'));
    expect(retried.status).toBe('SIGNED_IN');
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 0, lockedUntil: null });
  });
});
