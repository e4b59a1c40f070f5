import { jest } from '@jest/globals';
import { logIn } from '../../../functions/core/use-cases/log-in.js';
import {
  Gate,
  type SeededApp,
  type SeededUser,
  World,
  auditEntries,
  minuteMs,
  outcomeOf,
  password,
  seedApp,
  seedUser,
  setDeviceCount,
  setEmailCount,
  tally,
} from '../../support/domain/world.js';

/**
 * The password step's brute-force rules (README, Design: Brute force): every 10th consecutive wrong password
 * for an email locks it, 60 s doubling to 900 s; counted whether or not a user has the email; a login that
 * presents one of the user's devices counts against that device alone. Each wrong password is one Argon2id
 * hash, so the counts before a lock are seeded through the store where the spec is about a later failure.
 */

let world: World;
let seeded: SeededApp;
let user: SeededUser;

beforeEach(async () => {
  world = new World();
  seeded = await seedApp(world);
  user = await seedUser(world, seeded.app);
});

const login = (email: string, withPassword: string, deviceToken?: string) =>
  logIn(world.deps, { appId: seeded.app.id, email, password: withPassword, ...(deviceToken ? { deviceToken } : {}) });

describe('logIn: password lockout', () => {
  it('locks the email for 60 s on the 10th consecutive wrong password, and refuses the right one while locked', async () => {
    // Act
    const outcomes: string[] = [];
    for (let guess = 1; guess <= 10; guess++) outcomes.push(await outcomeOf(login(user.email, `wrong ${guess}`)));
    const locked = await login(user.email, password).catch((error: unknown) => error);
    world.advance(45_000);
    const later = await login(user.email, password).catch((error: unknown) => error);

    // Assess
    expect(outcomes).toEqual([...Array<string>(9).fill('invalid_credentials'), 'too_many_attempts']);
    expect(locked).toMatchObject({ code: 'too_many_attempts', details: { retryAfterSeconds: 60 } });
    expect(later).toMatchObject({ code: 'too_many_attempts', details: { retryAfterSeconds: 15 } });
    await expect(world.deps.users.getPasswordFailures(seeded.app.id, user.email)).resolves.toEqual({
      failedAttempts: 10,
      lockedUntil: world.now - 45_000 + minuteMs,
    });
    const lockouts = await auditEntries(world, seeded.app.id, 'password.locked_out');
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]).toMatchObject({
      actorId: 'anonymous',
      targetUserId: user.user.id,
      detail: { retryAfterSeconds: 60, consecutiveFailures: 10, lockedOn: 'account' },
    });
  });

  it.each([
    { failure: 20, seconds: 120 },
    { failure: 50, seconds: 900 },
  ])('locks for $seconds s on consecutive wrong password number $failure', async ({ failure, seconds }) => {
    // Prepare
    await setEmailCount(world, seeded.app.id, user.email, { failedAttempts: failure - 1, lockedUntil: null });

    // Act
    const refusal = await login(user.email, 'wrong').catch((error: unknown) => error);

    // Assess
    expect(refusal).toMatchObject({ code: 'too_many_attempts', details: { retryAfterSeconds: seconds } });
    await expect(world.deps.users.getPasswordFailures(seeded.app.id, user.email)).resolves.toEqual({
      failedAttempts: failure,
      lockedUntil: world.now + seconds * 1000,
    });
  });

  it('does not lock again on the first wrong password once a lock has expired, and the right one then clears the count', async () => {
    // Prepare: the 10th failure locked the email a minute ago; the lock ends exactly now.
    await setEmailCount(world, seeded.app.id, user.email, { failedAttempts: 10, lockedUntil: world.now + minuteMs });
    world.advance(minuteMs);

    // Act
    const wrong = await outcomeOf(login(user.email, 'wrong'));
    const afterWrong = await world.deps.users.getPasswordFailures(seeded.app.id, user.email);
    const right = await login(user.email, password);

    // Assess
    expect(wrong).toBe('invalid_credentials');
    expect(afterWrong).toEqual({ failedAttempts: 11, lockedUntil: null });
    expect(right.status).toBe('SIGNED_IN');
    await expect(world.deps.users.getPasswordFailures(seeded.app.id, user.email)).resolves.toBeNull();
  });

  it('counts any password for an email nobody has as a wrong password: the 9th is invalid_credentials, the 10th locks', async () => {
    // Prepare
    const nobody = 'nobody@example.test';
    await setEmailCount(world, seeded.app.id, nobody, { failedAttempts: 8, lockedUntil: null });

    // Act
    const ninth = await login(nobody, password).catch((error: unknown) => error);
    const tenth = await login(nobody, password).catch((error: unknown) => error);

    // Assess
    expect(ninth).toMatchObject({ code: 'invalid_credentials', message: 'The email or password is incorrect.' });
    expect(tenth).toMatchObject({ code: 'too_many_attempts', details: { retryAfterSeconds: 60 } });
    const lockouts = await auditEntries(world, seeded.app.id, 'password.locked_out');
    expect(lockouts.map((event) => event.targetUserId)).toEqual([null]);
  });

  it('counts wrong passwords sent with one of the user’s devices against that device alone', async () => {
    // Prepare
    await setDeviceCount(world, user, 'passwordFailures', { failedAttempts: 9, lockedUntil: null });

    // Act
    const tenth = await login(user.email, 'wrong', user.deviceToken).catch((error: unknown) => error);
    const rightOnLockedDevice = await outcomeOf(login(user.email, password, user.deviceToken));
    const rightElsewhere = await login(user.email, password);

    // Assess
    expect(tenth).toMatchObject({ code: 'too_many_attempts', details: { retryAfterSeconds: 60 } });
    expect(rightOnLockedDevice).toBe('too_many_attempts');
    expect(rightElsewhere.status).toBe('SIGNED_IN');
    await expect(world.deps.users.getPasswordFailures(seeded.app.id, user.email)).resolves.toBeNull();
    const [lockout] = await auditEntries(world, seeded.app.id, 'password.locked_out');
    expect(lockout?.detail).toMatchObject({ lockedOn: 'device' });
  });

  it('never locks the owner’s device out with wrong passwords from unknown clients', async () => {
    // Prepare
    await setEmailCount(world, seeded.app.id, user.email, { failedAttempts: 9, lockedUntil: null });

    // Act
    const tenth = await outcomeOf(login(user.email, 'wrong'));
    const fromDevice = await login(user.email, password, user.deviceToken);
    const fromElsewhere = await outcomeOf(login(user.email, password));

    // Assess
    expect(tenth).toBe('too_many_attempts');
    expect(fromDevice.status).toBe('SIGNED_IN');
    expect(fromDevice.status === 'SIGNED_IN' && fromDevice.device.id).toBe(user.deviceId);
    expect(fromElsewhere).toBe('too_many_attempts');
    await expect(world.deps.users.getPasswordFailures(seeded.app.id, user.email)).resolves.toMatchObject({ failedAttempts: 10 });
  });

  it('counts parallel wrong passwords one by one: no more are judged than the lock allows', async () => {
    // Prepare
    await setEmailCount(world, seeded.app.id, user.email, { failedAttempts: 7, lockedUntil: null });

    // Act
    const outcomes = await Promise.all(Array.from({ length: 4 }, (_, guess) => outcomeOf(login(user.email, `wrong ${guess}`))));

    // Assess: failures 8 and 9 answer 401, the 10th locks, the one left finds the lock.
    expect(tally(outcomes)).toEqual({ invalid_credentials: 2, too_many_attempts: 2 });
    await expect(world.deps.users.getPasswordFailures(seeded.app.id, user.email)).resolves.toEqual({
      failedAttempts: 10,
      lockedUntil: world.now + minuteMs,
    });
    await expect(auditEntries(world, seeded.app.id, 'password.locked_out')).resolves.toHaveLength(1);
  });

  it('refuses a right password whose commit lands after parallel wrong ones locked the email', async () => {
    // Prepare: the right password is judged, then held before its write while a wrong one locks the email.
    await setEmailCount(world, seeded.app.id, user.email, { failedAttempts: 9, lockedUntil: null });
    const commit = world.deps.sessions.completePasswordStep.bind(world.deps.sessions);
    const gate = new Gate();
    jest.spyOn(world.deps.sessions, 'completePasswordStep').mockImplementationOnce(async (input) => {
      await gate.pass();
      return commit(input);
    });
    const right = outcomeOf(login(user.email, password));
    await gate.reachedBy(right);

    // Act
    const wrong = await outcomeOf(login(user.email, 'wrong'));
    gate.open();

    // Assess
    expect(wrong).toBe('too_many_attempts');
    await expect(right).resolves.toBe('too_many_attempts');
    await expect(world.deps.users.getPasswordFailures(seeded.app.id, user.email)).resolves.toMatchObject({ failedAttempts: 10 });
  });
});
