import type { TwoFactorMode } from '../../../functions/core/model.js';
import { forgetDevice, listDevices, signOutEverywhere } from '../../../functions/core/use-cases/devices.js';
import { disableTwoFactor } from '../../../functions/core/use-cases/disable-two-factor.js';
import { getMe } from '../../../functions/core/use-cases/get-me.js';
import { logIn } from '../../../functions/core/use-cases/log-in.js';
import { logOut } from '../../../functions/core/use-cases/log-out.js';
import { publishConfig } from '../../../functions/core/use-cases/publish-config.js';
import { regenerateBackupCodes } from '../../../functions/core/use-cases/regenerate-backup-codes.js';
import { resetUserTwoFactor } from '../../../functions/core/use-cases/reset-two-factor.js';
import { stepUp } from '../../../functions/core/use-cases/step-up.js';
import { updateTwoFactorSettings } from '../../../functions/core/use-cases/two-factor-settings.js';
import { verifyLogin } from '../../../functions/core/use-cases/verify-login.js';
import {
  type EnrolledUser,
  type SeededApp,
  World,
  auditEntries,
  codeAt,
  dayMs,
  minuteMs,
  outcomeOf,
  password,
  seedApp,
  seedEnrolledUser,
  seedLoginChallenge,
  seedSession,
  seedUser,
  setAccountCount,
  stepMs,
  wrongCodeAt,
} from '../../support/domain/world.js';

/**
 * Signing in and the devices it issues sessions to (README, API extensions: Devices): what the password step
 * answers under each published mode; a device remembered for the app's published days skips the second
 * factor until they run out, or until a reset, disable, regeneration, second-factor lockout or sign-out
 * everywhere ends it; the device list, forgetting a device, and the lives of sessions.
 */

let world: World;

beforeEach(() => {
  world = new World();
});

const login = (seeded: SeededApp, email: string, deviceToken?: string) =>
  logIn(world.deps, { appId: seeded.app.id, email, password, ...(deviceToken ? { deviceToken } : {}) });

/** What a login answered, in a line: its status and, for a session, its assurance. */
const summary = (result: Awaited<ReturnType<typeof logIn>>) =>
  result.status === 'SIGNED_IN' ? `SIGNED_IN ${result.session.assurance}` : result.status;

describe('logIn', () => {
  it.each([
    { mode: null, enrolled: false, answer: 'SIGNED_IN password' },
    { mode: 'off', enrolled: true, answer: 'SIGNED_IN password' },
    { mode: 'optional', enrolled: false, answer: 'SIGNED_IN password' },
    { mode: 'optional', enrolled: true, answer: 'TWO_FACTOR_REQUIRED' },
    { mode: 'required', enrolled: false, answer: 'TWO_FACTOR_ENROLLMENT_REQUIRED' },
    { mode: 'required', enrolled: true, answer: 'TWO_FACTOR_REQUIRED' },
  ] as { mode: TwoFactorMode | null; enrolled: boolean; answer: string }[])(
    'under the published mode $mode, for a user enrolled: $enrolled, answers $answer',
    async ({ mode, enrolled, answer }) => {
      // Prepare
      const seeded = await seedApp(world, { published: mode === null ? null : { mode } });
      const user = enrolled ? await seedEnrolledUser(world, seeded.app) : await seedUser(world, seeded.app);

      // Act
      const result = await login(seeded, user.email);

      // Assess
      expect(summary(result)).toBe(answer);
    },
  );
  it('answers not_found for an unknown app', async () => {
    // Act
    const result = await outcomeOf(logIn(world.deps, { appId: 'app_nobody', email: 'someone@example.test', password }));

    // Assess
    expect(result).toBe('not_found');
  });
});

describe('remembered devices', () => {
  let seeded: SeededApp;
  let user: EnrolledUser;

  beforeEach(async () => {
    seeded = await seedApp(world, { published: { mode: 'optional', rememberDeviceDays: 7 } });
    user = await seedEnrolledUser(world, seeded.app);
  });

  /** Signs in on the user's device with "trust this browser": the device's new token and the session. */
  async function remember(): Promise<{ deviceToken: string; sessionToken: string }> {
    const challengeToken = await seedLoginChallenge(world, user.user, user.deviceId);
    const signedIn = await verifyLogin(world.deps, {
      appId: seeded.app.id,
      challengeToken,
      code: codeAt(user.secret, world.now),
      rememberDevice: true,
    });
    return { deviceToken: signedIn.device.token, sessionToken: signedIn.session.token };
  }

  it('lets a device remembered at a login skip the second factor until the published days run out', async () => {
    // Prepare
    const first = await login(seeded, user.email, user.deviceToken);
    const challengeToken = first.status === 'TWO_FACTOR_REQUIRED' ? first.challenge.token : '';

    // Act
    const verified = await verifyLogin(world.deps, {
      appId: seeded.app.id,
      challengeToken,
      code: codeAt(user.secret, world.now),
      rememberDevice: true,
    });
    const next = await login(seeded, user.email, verified.device.token);
    world.advance(7 * dayMs);
    const afterSevenDays = await login(seeded, user.email, verified.device.token);

    // Assess
    expect(first.status === 'TWO_FACTOR_REQUIRED' && first.challenge.rememberDeviceDays).toBe(7);
    expect(verified.device).toMatchObject({ id: user.deviceId, rememberedUntil: new Date(world.now).toISOString() });
    expect(verified.device.token).not.toBe(user.deviceToken);
    expect(summary(next)).toBe('SIGNED_IN remembered_device');
    expect(summary(afterSevenDays)).toBe('TWO_FACTOR_REQUIRED');
    const remembered = await auditEntries(world, seeded.app.id, 'device.remembered');
    expect(remembered.map((event) => event.detail)).toEqual([{ deviceId: user.deviceId, days: 7 }]);
  });

  it.each([
    { change: 'nothing', answer: 'SIGNED_IN remembered_device', make: () => Promise.resolve() },
    {
      change: 'a 2FA reset',
      answer: 'SIGNED_IN password',
      make: () => resetUserTwoFactor(world.deps, { appId: seeded.app.id, userId: user.user.id, actorId: 'platform:ops', reason: null }),
    },
    {
      change: 'disabling 2FA',
      answer: 'SIGNED_IN password',
      make: (sessionToken: string) =>
        disableTwoFactor(world.deps, { appId: seeded.app.id, token: sessionToken, code: codeAt(user.secret, world.now + stepMs) }),
    },
    {
      change: 'regenerating backup codes',
      answer: 'TWO_FACTOR_REQUIRED',
      make: (sessionToken: string) =>
        regenerateBackupCodes(world.deps, { appId: seeded.app.id, token: sessionToken, code: codeAt(user.secret, world.now + stepMs) }),
    },
    {
      change: 'a lockout by wrong codes at login challenges, even once it is over',
      answer: 'TWO_FACTOR_REQUIRED',
      make: async () => {
        await setAccountCount(world, user.user.id, { failedAttempts: 9, lockedUntil: null });
        const challengeToken = await seedLoginChallenge(world, user.user);
        await outcomeOf(verifyLogin(world.deps, { appId: seeded.app.id, challengeToken, code: wrongCodeAt(user.secret, world.now) }));
        world.advance(minuteMs);
      },
    },
    {
      change: 'a lockout by wrong codes from a session, even once it is over',
      answer: 'TWO_FACTOR_REQUIRED',
      make: async (sessionToken: string) => {
        await setAccountCount(world, user.user.id, { failedAttempts: 9, lockedUntil: null });
        await outcomeOf(stepUp(world.deps, { appId: seeded.app.id, token: sessionToken, code: wrongCodeAt(user.secret, world.now) }));
        world.advance(minuteMs);
      },
    },
    {
      change: 'signing out everywhere',
      answer: 'TWO_FACTOR_REQUIRED',
      make: (sessionToken: string) => signOutEverywhere(world.deps, { appId: seeded.app.id, token: sessionToken }),
    },
  ])('after $change, the remembered device answers $answer at the next login', async ({ make, answer }) => {
    // Prepare
    const { deviceToken, sessionToken } = await remember();

    // Act
    await make(sessionToken);
    const next = await login(seeded, user.email, deviceToken);

    // Assess
    expect(summary(next)).toBe(answer);
  });

  it('remembers no device when the app allows 0 days', async () => {
    // Prepare
    const noDays = await seedApp(world, { published: { mode: 'optional', rememberDeviceDays: 0 } });
    const member = await seedEnrolledUser(world, noDays.app);
    const challengeToken = await seedLoginChallenge(world, member.user, member.deviceId);

    // Act
    const verified = await verifyLogin(world.deps, {
      appId: noDays.app.id,
      challengeToken,
      code: codeAt(member.secret, world.now),
      rememberDevice: true,
    });

    // Assess
    expect(verified.device.rememberedUntil).toBeNull();
    await expect(auditEntries(world, noDays.app.id, 'device.remembered')).resolves.toEqual([]);
  });

  it.each([
    { days: 2, until: 2 },
    { days: 30, until: 7 },
  ])('once the app publishes $days days, shows the device remembered for $until days from when it was', async ({ days, until }) => {
    // Prepare
    const rememberedAt = world.now;
    const { sessionToken } = await remember();
    await updateTwoFactorSettings(world.deps, {
      appId: seeded.app.id,
      token: seeded.admin.sessionToken,
      mode: 'optional',
      rememberDeviceDays: days,
    });
    await publishConfig(world.deps, { appId: seeded.app.id, token: seeded.admin.sessionToken, deadline: world.now + minuteMs });

    // Act
    const listing = await listDevices(world.deps, { appId: seeded.app.id, token: sessionToken });

    // Assess
    expect(listing.devices).toEqual([
      expect.objectContaining({ id: user.deviceId, rememberedUntil: new Date(rememberedAt + until * dayMs).toISOString() }),
    ]);
  });
});

describe('devices', () => {
  let seeded: SeededApp;

  beforeEach(async () => {
    seeded = await seedApp(world, { published: { mode: 'optional' } });
  });

  it('lists the live devices most recently used first, marking the one of the asking session', async () => {
    // Prepare
    const user = await seedUser(world, seeded.app);
    world.advance(minuteMs);
    const laptop = await seedSession(world, user.user);

    // Act
    const listing = await listDevices(world.deps, { appId: seeded.app.id, token: user.sessionToken });

    // Assess
    expect(listing.devices.map((device) => [device.id, device.current])).toEqual([
      [laptop.deviceId, false],
      [user.deviceId, true],
    ]);
  });

  it('forgets a device: it leaves the list, its token counts as an unknown client’s, and forgetting it again is not_found', async () => {
    // Prepare
    const user = await seedUser(world, seeded.app);
    const laptop = await seedSession(world, user.user);

    // Act
    await forgetDevice(world.deps, { appId: seeded.app.id, token: user.sessionToken, deviceId: laptop.deviceId });
    const again = await outcomeOf(forgetDevice(world.deps, { appId: seeded.app.id, token: user.sessionToken, deviceId: laptop.deviceId }));
    const wrongPassword = await outcomeOf(
      logIn(world.deps, { appId: seeded.app.id, email: user.email, password: 'wrong', deviceToken: laptop.deviceToken }),
    );

    // Assess
    const listing = await listDevices(world.deps, { appId: seeded.app.id, token: user.sessionToken });
    expect(listing.devices.map((device) => device.id)).toEqual([user.deviceId]);
    expect(again).toBe('not_found');
    expect(wrongPassword).toBe('invalid_credentials');
    await expect(world.deps.users.getPasswordFailures(seeded.app.id, user.email)).resolves.toEqual({
      failedAttempts: 1,
      lockedUntil: null,
    });
    const forgotten = await auditEntries(world, seeded.app.id, 'device.forgotten');
    expect(forgotten.map((event) => event.detail)).toEqual([{ deviceId: laptop.deviceId }]);
  });

  it('signs out everywhere: every session and login challenge ends and every device is forgotten', async () => {
    // Prepare
    const user = await seedEnrolledUser(world, seeded.app);
    const laptop = await seedSession(world, user.user);
    const challengeToken = await seedLoginChallenge(world, user.user, user.deviceId);

    // Act
    await signOutEverywhere(world.deps, { appId: seeded.app.id, token: user.sessionToken });

    // Assess
    const me = (token: string) => outcomeOf(getMe(world.deps, { appId: seeded.app.id, token }));
    await expect(Promise.all([me(user.sessionToken), me(laptop.sessionToken)])).resolves.toEqual(['unauthorized', 'unauthorized']);
    await expect(
      outcomeOf(verifyLogin(world.deps, { appId: seeded.app.id, challengeToken, code: codeAt(user.secret, world.now) })),
    ).resolves.toBe('challenge_invalid');
    const fresh = await seedSession(world, user.user);
    const listing = await listDevices(world.deps, { appId: seeded.app.id, token: fresh.sessionToken });
    expect(listing.devices.map((device) => device.id)).toEqual([fresh.deviceId]);
    await expect(auditEntries(world, seeded.app.id, 'sessions.revoked')).resolves.toHaveLength(1);
  });
});

describe('sessions', () => {
  let seeded: SeededApp;

  beforeEach(async () => {
    seeded = await seedApp(world, { published: { mode: 'optional' } });
  });

  it.each([
    { after: '12 h − 1 ms', ms: 12 * 60 * minuteMs - 1, outcome: 'ok' },
    { after: '12 h', ms: 12 * 60 * minuteMs, outcome: 'unauthorized' },
  ])('answers $outcome $after after the session was issued', async ({ ms, outcome }) => {
    // Prepare
    const user = await seedUser(world, seeded.app);
    world.advance(ms);

    // Act
    const result = await outcomeOf(getMe(world.deps, { appId: seeded.app.id, token: user.sessionToken }));

    // Assess
    expect(result).toBe(outcome);
  });

  it('needs no step-up for a user without a second factor (not_enrolled)', async () => {
    // Prepare
    const user = await seedUser(world, seeded.app);

    // Act
    const result = await outcomeOf(stepUp(world.deps, { appId: seeded.app.id, token: user.sessionToken, code: '123456' }));

    // Assess
    expect(result).toBe('not_enrolled');
  });

  it('ends with a logout, and only that session', async () => {
    // Prepare
    const user = await seedUser(world, seeded.app);
    const laptop = await seedSession(world, user.user);

    // Act
    await logOut(world.deps, { appId: seeded.app.id, token: user.sessionToken });

    // Assess
    await expect(outcomeOf(getMe(world.deps, { appId: seeded.app.id, token: user.sessionToken }))).resolves.toBe('unauthorized');
    await expect(outcomeOf(getMe(world.deps, { appId: seeded.app.id, token: laptop.sessionToken }))).resolves.toBe('ok');
  });

  it('is worthless on another app', async () => {
    // Prepare
    const user = await seedUser(world, seeded.app);
    const other = await seedApp(world);

    // Act
    const result = await outcomeOf(getMe(world.deps, { appId: other.app.id, token: user.sessionToken }));

    // Assess
    expect(result).toBe('unauthorized');
  });

  it.each([
    { call: 'getMe', outcome: 'ok', send: (appId: string, token: string) => getMe(world.deps, { appId, token }) },
    { call: 'listDevices', outcome: 'ok', send: (appId: string, token: string) => listDevices(world.deps, { appId, token }) },
    { call: 'logOut', outcome: 'ok', send: (appId: string, token: string) => logOut(world.deps, { appId, token }) },
    {
      call: 'stepUp',
      outcome: 'two_factor_required',
      send: (appId: string, token: string) => stepUp(world.deps, { appId, token, code: '123456' }),
    },
    {
      call: 'regenerateBackupCodes',
      outcome: 'two_factor_required',
      send: (appId: string, token: string) => regenerateBackupCodes(world.deps, { appId, token, code: '123456' }),
    },
  ])('under a required mode published after it, a session without a second factor gets $outcome from $call', async ({ send, outcome }) => {
    // Prepare
    const required = await seedApp(world, { published: { mode: 'required' } });
    const user = await seedUser(world, required.app);

    // Act
    const result = await outcomeOf(send(required.app.id, user.sessionToken));

    // Assess
    expect(result).toBe(outcome);
  });
});
