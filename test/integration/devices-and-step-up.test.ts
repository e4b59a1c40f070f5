import {
  type ApiResponse,
  type EnrolledUser,
  type TestApp,
  call,
  createTestApp,
  nextCode,
  password,
  signUpAndEnroll,
  uniqueEmail,
} from '../support/api.js';
import { ageSecondFactor, auditTypes, enrollAdmin, login, setRememberDays, signIn } from '../support/devices.js';

/** API.md, "Devices, step-up and recovery": every row through HTTP against the local stack. */

const dayMs = 24 * 60 * 60 * 1000;
/** Tests that send several codes for one authenticator may wait for the next time step (30 s) once or twice. */
const slowTest = 150_000;

describe('device tokens', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
  }, slowTest);

  it(
    'gives every session a device: sign-up, login (the presented one), login/verify (the presented one, a new token)',
    async () => {
      // Prepare
      const email = uniqueEmail();
      const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } });

      // Assess: sign-up
      expect(signup.status).toBe(201);
      expect(signup.body.device).toEqual({
        id: expect.stringMatching(/^dev_/),
        token: expect.any(String),
        expiresAt: expect.any(String),
        rememberedUntil: null,
      });
      expect(signup.body.device.token.length).toBeGreaterThanOrEqual(43);
      expect(Date.parse(signup.body.device.expiresAt)).toBeGreaterThan(Date.now() + 300 * dayMs);

      // Act / Assess: a login presenting it keeps it; one without gets a new one
      const again = await login(app, email, signup.body.device.token);
      expect(again.body.device).toMatchObject({ id: signup.body.device.id, token: signup.body.device.token });
      const elsewhere = await login(app, email);
      expect(elsewhere.body.device.id).not.toBe(signup.body.device.id);
      const forged = await login(app, email, `${signup.body.device.id}.${'A'.repeat(43)}`);
      expect(forged.body.device.id).not.toBe(signup.body.device.id);
    },
    slowTest,
  );

  it(
    'carries the device through the challenge: verify returns it with a rotated token, and the old token dies',
    async () => {
      // Prepare
      const user = await signUpAndEnroll(app);

      // Act
      const verify = await signIn(app, user, { deviceToken: user.deviceToken });

      // Assess
      expect(verify.body.device.id).toBe(user.deviceToken.split('.')[0]);
      expect(verify.body.device.token).not.toBe(user.deviceToken);
      const devices = await call('GET', `/v1/apps/${app.appId}/2fa/devices`, { token: verify.body.session.token });
      expect(devices.body.devices.filter((device: { current: boolean }) => device.current)).toEqual([
        expect.objectContaining({ id: verify.body.device.id }),
      ]);
      const oldToken = await signIn(app, user, { deviceToken: user.deviceToken });
      expect(oldToken.body.device.id).not.toBe(verify.body.device.id);
    },
    slowTest,
  );

  it(
    'lists, forgets and signs out everywhere',
    async () => {
      // Prepare
      const user = await signUpAndEnroll(app);
      const here = await signIn(app, user, { deviceToken: user.deviceToken });
      const there = await signIn(app, user, { backupCode: user.backupCodes[0] });

      // Act / Assess: the list
      const listed = await call('GET', `/v1/apps/${app.appId}/2fa/devices`, { token: here.body.session.token });
      expect(listed.status).toBe(200);
      const ids = listed.body.devices.map((device: { id: string }) => device.id);
      expect(ids).toEqual(expect.arrayContaining([here.body.device.id, there.body.device.id]));
      for (const device of listed.body.devices)
        expect(device).toEqual({
          id: expect.any(String),
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          rememberedUntil: null,
          current: device.id === here.body.device.id,
        });

      // Act / Assess: forget one
      expect(
        (await call('DELETE', `/v1/apps/${app.appId}/2fa/devices/${there.body.device.id}`, { token: here.body.session.token })).status,
      ).toBe(204);
      const after = await call('GET', `/v1/apps/${app.appId}/2fa/devices`, { token: here.body.session.token });
      expect(after.body.devices.map((device: { id: string }) => device.id)).not.toContain(there.body.device.id);
      expect(
        (await call('DELETE', `/v1/apps/${app.appId}/2fa/devices/${there.body.device.id}`, { token: here.body.session.token })).body.error
          .code,
      ).toBe('not_found');
      expect((await login(app, user.email, there.body.device.token)).body.challenge).toBeDefined();

      // Act / Assess: sign out everywhere
      expect((await call('POST', `/v1/apps/${app.appId}/logout/all`, { token: here.body.session.token })).status).toBe(204);
      for (const token of [here.body.session.token, there.body.session.token, user.sessionToken]) {
        expect((await call('GET', `/v1/apps/${app.appId}/me`, { token })).status).toBe(401);
      }
      const fresh = await signIn(app, user, { deviceToken: here.body.device.token, backupCode: user.backupCodes[1] });
      expect(fresh.body.device.id).not.toBe(here.body.device.id);
      const remaining = await call('GET', `/v1/apps/${app.appId}/2fa/devices`, { token: fresh.body.session.token });
      expect(remaining.body.devices.map((device: { id: string }) => device.id)).toEqual([fresh.body.device.id]);
      expect(await auditTypes(app)).toEqual(expect.arrayContaining(['device.forgotten', 'sessions.revoked']));
    },
    slowTest,
  );
});

describe('remembered devices', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
  }, slowTest);

  it(
    'remembers nothing while the app allows 0 days',
    async () => {
      // Prepare
      const user = await signUpAndEnroll(app);

      // Act
      const verify = await signIn(app, user, { deviceToken: user.deviceToken, rememberDevice: true });

      // Assess
      expect((await login(app, user.email)).body.challenge.rememberDeviceDays).toBe(0);
      expect(verify.body.device.rememberedUntil).toBeNull();
      expect((await login(app, user.email, verify.body.device.token)).body.status).toBe('TWO_FACTOR_REQUIRED');
    },
    slowTest,
  );

  it(
    'skips the second factor on a remembered device, with assurance remembered_device, until remembering ends',
    async () => {
      // Prepare
      await setRememberDays(app, 'optional', 7);
      const user = await signUpAndEnroll(app);

      // Act
      const verify = await signIn(app, user, { deviceToken: user.deviceToken, rememberDevice: true });
      const remembered = await login(app, user.email, verify.body.device.token);

      // Assess
      const until = Date.parse(verify.body.device.rememberedUntil);
      expect(until).toBeGreaterThan(Date.now() + 7 * dayMs - 60_000);
      expect(until).toBeLessThanOrEqual(Date.now() + 7 * dayMs);
      expect(remembered.status).toBe(200);
      expect(remembered.body).toMatchObject({
        status: 'SIGNED_IN',
        session: { assurance: 'remembered_device' },
        device: { id: verify.body.device.id, rememberedUntil: verify.body.device.rememberedUntil },
      });
      expect((await login(app, user.email)).body).toMatchObject({ status: 'TWO_FACTOR_REQUIRED', challenge: { rememberDeviceDays: 7 } });
      expect(await auditTypes(app)).toContain('device.remembered');

      // Act / Assess: regenerating the backup codes ends remembering
      const codes = await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, {
        token: remembered.body.session.token,
        body: { code: await nextCode(user) },
      });
      expect(codes.status).toBe(200);
      expect((await login(app, user.email, verify.body.device.token)).body.status).toBe('TWO_FACTOR_REQUIRED');
    },
    slowTest,
  );

  it.each(['reset', 'disable', 'lockout'] as const)(
    'ends remembering at a %s',
    async (end) => {
      // Prepare
      const user = await signUpAndEnroll(app);
      const verify = await signIn(app, user, { deviceToken: user.deviceToken, rememberDevice: true });
      expect((await login(app, user.email, verify.body.device.token)).body.status).toBe('SIGNED_IN');

      // Act
      if (end === 'reset') {
        expect((await call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, { token: app.adminToken })).status).toBe(200);
      } else if (end === 'disable') {
        expect(
          (
            await call('POST', `/v1/apps/${app.appId}/2fa/disable`, {
              token: verify.body.session.token,
              body: { code: await nextCode(user) },
            })
          ).status,
        ).toBe(200);
      } else {
        // Ten wrong codes from an unknown client lock the second factor.
        let answer: ApiResponse | undefined;
        for (let i = 0; i < 10; i++) {
          const challenge = (await login(app, user.email)).body.challenge.token;
          answer = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken: challenge, code: '000000' } });
        }
        expect(answer!.status).toBe(429);
      }

      // Assess: the device is still known, but no longer skips anything
      const after = await login(app, user.email, verify.body.device.token);
      if (end === 'lockout') expect(after.body.status).toBe('TWO_FACTOR_REQUIRED');
      else
        expect(after.body).toMatchObject({
          status: 'SIGNED_IN',
          session: { assurance: 'password' },
          device: { id: verify.body.device.id, rememberedUntil: null },
        });
    },
    slowTest,
  );
});

describe('remember-device settings', () => {
  it(
    'takes rememberDeviceDays 0–30 in the draft, shows it, and puts it in force on publish',
    async () => {
      // Prepare
      const app = await createTestApp({ plan: 'business', mode: 'optional' });

      // Act
      const put = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, {
        token: app.adminToken,
        body: { mode: 'optional', rememberDeviceDays: 30 },
      });
      const tooLong = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, {
        token: app.adminToken,
        body: { mode: 'optional', rememberDeviceDays: 31 },
      });
      const modeOnly = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, {
        token: app.adminToken,
        body: { mode: 'optional' },
      });
      const published = await call('POST', `/v1/apps/${app.appId}/publish`, { token: app.adminToken });

      // Assess
      expect(put.body).toMatchObject({
        draft: { mode: 'optional', rememberDeviceDays: 30 },
        published: { mode: 'optional', rememberDeviceDays: 0 },
        unpublishedChanges: true,
      });
      expect(tooLong.status).toBe(400);
      expect(modeOnly.body.draft.rememberDeviceDays).toBe(30);
      expect(published.body.config.twoFactor).toEqual({
        mode: 'optional',
        rememberDeviceDays: 30,
        requiredGraceDays: 0,
        requiredForRoles: [],
      });
      const settings = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });
      expect(settings.body).toMatchObject({
        draft: { rememberDeviceDays: 30 },
        published: { rememberDeviceDays: 30 },
        unpublishedChanges: false,
      });
    },
    slowTest,
  );

  it.each(['free', 'pro'] as const)(
    'refuses remembering on the %s plan',
    async (plan) => {
      // Prepare
      const app = await createTestApp({ plan });

      // Act
      const put = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, {
        token: app.adminToken,
        body: { mode: 'off', rememberDeviceDays: 1 },
      });

      // Assess
      expect(put.status).toBe(403);
      expect(put.body.error.code).toBe('plan_upgrade_required');
    },
    slowTest,
  );
});

describe('step-up', () => {
  let app: TestApp;
  let admin: EnrolledUser & { token: string };
  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
    admin = await enrollAdmin(app);
  }, slowTest);

  it(
    'proves the second factor again: 200 with the same token and stepUpExpiresAt 10 minutes ahead; a replayed code is refused',
    async () => {
      // Prepare
      const user = await signUpAndEnroll(app);
      const code = await nextCode(user);

      // Act
      const stepUp = await call('POST', `/v1/apps/${app.appId}/2fa/step-up`, { token: user.sessionToken, body: { code } });
      const replay = await call('POST', `/v1/apps/${app.appId}/2fa/step-up`, { token: user.sessionToken, body: { code } });
      const backup = await call('POST', `/v1/apps/${app.appId}/2fa/step-up`, {
        token: user.sessionToken,
        body: { backupCode: user.backupCodes[0] },
      });

      // Assess
      expect(stepUp.status).toBe(200);
      expect(stepUp.body.session).toMatchObject({ token: user.sessionToken, assurance: 'two_factor' });
      expect(Date.parse(stepUp.body.session.stepUpExpiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
      expect(Date.parse(stepUp.body.session.stepUpExpiresAt) - Date.now()).toBeLessThanOrEqual(10 * 60_000);
      expect(replay.status).toBe(401);
      expect(replay.body.error.code).toBe('invalid_code');
      expect(backup.status).toBe(200);
      expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: user.sessionToken })).body.twoFactor.backupCodesRemaining).toBe(9);
    },
    slowTest,
  );

  it(
    'answers not_enrolled for a user without a second factor',
    async () => {
      // Prepare
      const email = uniqueEmail();
      const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } });

      // Act
      const stepUp = await call('POST', `/v1/apps/${app.appId}/2fa/step-up`, {
        token: signup.body.session.token,
        body: { code: '123456' },
      });

      // Assess
      expect(stepUp.status).toBe(409);
      expect(stepUp.body.error.code).toBe('not_enrolled');
    },
    slowTest,
  );

  it(
    'lets a reset, an unlock, a lower mode and longer remembering through only within 10 minutes of a second factor',
    async () => {
      // Prepare: the admin's confirming session proved a factor; 11 minutes pass
      const user = await signUpAndEnroll(app);
      await ageSecondFactor(admin.token, 11 * 60_000);
      const weakening = {
        reset: () => call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, { token: admin.token }),
        unlock: () => call('POST', `/v1/apps/${app.appId}/users/${user.userId}/unlock`, { token: admin.token }),
        lowerMode: () => call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token: admin.token, body: { mode: 'off' } }),
        longerRemembering: () =>
          call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, {
            token: admin.token,
            body: { mode: 'optional', rememberDeviceDays: 9 },
          }),
      };

      // Act / Assess: refused without a fresh factor
      for (const [name, act] of Object.entries(weakening)) {
        const answer = await act();
        expect([name, answer.status, answer.body.error?.code]).toEqual([name, 403, 'step_up_required']);
      }
      const stronger = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, {
        token: admin.token,
        body: { mode: 'required', rememberDeviceDays: 0 },
      });
      expect(stronger.status).toBe(200);

      // Act / Assess: after a step-up, each goes through
      expect(
        (await call('POST', `/v1/apps/${app.appId}/2fa/step-up`, { token: admin.token, body: { code: await nextCode(admin) } })).status,
      ).toBe(200);
      for (const [name, act] of Object.entries(weakening)) expect([name, (await act()).status]).toEqual([name, 200]);
    },
    slowTest,
  );

  it(
    'asks for a step-up before publishing a lower mode or longer remembering, not a stronger one',
    async () => {
      // Prepare: a fresh factor to set the draft, then 11 minutes pass
      expect(
        (await call('POST', `/v1/apps/${app.appId}/2fa/step-up`, { token: admin.token, body: { backupCode: admin.backupCodes[0] } }))
          .status,
      ).toBe(200);
      const publish = () => call('POST', `/v1/apps/${app.appId}/publish`, { token: admin.token });
      expect(
        (
          await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, {
            token: admin.token,
            body: { mode: 'required', rememberDeviceDays: 0 },
          })
        ).status,
      ).toBe(200);
      await ageSecondFactor(admin.token, 11 * 60_000);

      // Act / Assess: stronger goes through
      expect((await publish()).status).toBe(200);
      expect(
        (
          await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, {
            token: admin.token,
            body: { mode: 'required', rememberDeviceDays: 0 },
          })
        ).status,
      ).toBe(200);

      // Act / Assess: a lower mode drafted under a fresh factor still needs one to go live
      expect(
        (await call('POST', `/v1/apps/${app.appId}/2fa/step-up`, { token: admin.token, body: { backupCode: admin.backupCodes[1] } }))
          .status,
      ).toBe(200);
      expect(
        (
          await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, {
            token: admin.token,
            body: { mode: 'optional', rememberDeviceDays: 3 },
          })
        ).status,
      ).toBe(200);
      await ageSecondFactor(admin.token, 11 * 60_000);
      const refused = await publish();
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('step_up_required');
      expect(
        (await call('POST', `/v1/apps/${app.appId}/2fa/step-up`, { token: admin.token, body: { backupCode: admin.backupCodes[2] } }))
          .status,
      ).toBe(200);
      expect((await publish()).body.config.twoFactor).toEqual({
        mode: 'optional',
        rememberDeviceDays: 3,
        requiredGraceDays: 0,
        requiredForRoles: [],
      });
    },
    slowTest,
  );

  it(
    "never resets or unlocks the admin's own account",
    async () => {
      // Act
      const reset = await call('POST', `/v1/apps/${app.appId}/users/${admin.userId}/2fa/reset`, { token: admin.token });
      const unlock = await call('POST', `/v1/apps/${app.appId}/users/${admin.userId}/unlock`, { token: admin.token });

      // Assess
      expect([reset.status, reset.body.error.code]).toEqual([403, 'forbidden']);
      expect([unlock.status, unlock.body.error.code]).toEqual([403, 'forbidden']);
    },
    slowTest,
  );
});

describe('unlock', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
  }, slowTest);

  async function lockPassword(email: string): Promise<void> {
    let answer: ApiResponse | undefined;
    for (let i = 0; i < 10; i++)
      answer = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password: 'wrong password here' } });
    expect(answer!.status).toBe(429);
    expect((await login(app, email)).status).toBe(429);
  }

  it(
    'ends a password lockout (audited as user.unlocked) and a second-factor lockout',
    async () => {
      // Prepare
      const user = await signUpAndEnroll(app);
      await lockPassword(user.email);

      // Act
      const unlock = await call('POST', `/v1/apps/${app.appId}/users/${user.userId}/unlock`, { token: app.adminToken });

      // Assess
      expect(unlock.status).toBe(200);
      expect(unlock.body.user).toMatchObject({ id: user.userId, email: user.email });
      const challenge = (await login(app, user.email)).body.challenge.token;
      let answer: ApiResponse | undefined;
      for (let i = 0; i < 2; i++) {
        answer = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken: challenge, code: '000000' } });
      }
      expect(answer!.body.error.attemptsRemaining).toBe(3);
      expect(await auditTypes(app)).toContain('user.unlocked');

      for (let i = 0; i < 2; i++) {
        const next = (await login(app, user.email)).body.challenge.token;
        for (let j = 0; j < 4; j++)
          answer = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken: next, code: '000000' } });
      }
      expect(answer!.status).toBe(429);
      expect((await call('POST', `/v1/apps/${app.appId}/users/${user.userId}/unlock`, { token: app.adminToken })).status).toBe(200);
      expect((await signIn(app, user)).body.status).toBe('SIGNED_IN');
    },
    slowTest,
  );

  it(
    'lets a reset end the lockouts too',
    async () => {
      // Prepare
      const user = await signUpAndEnroll(app);
      await lockPassword(user.email);

      // Act
      expect((await call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, { token: app.adminToken })).status).toBe(200);

      // Assess
      expect((await login(app, user.email)).body.status).toBe('SIGNED_IN');
    },
    slowTest,
  );

  it(
    'answers not_found for a user of another app',
    async () => {
      // Prepare
      const other = await createTestApp();
      const stranger = await signUpAndEnroll(await createTestApp({ mode: 'optional' }));

      // Act
      const unlock = await call('POST', `/v1/apps/${other.appId}/users/${stranger.userId}/unlock`, { token: other.adminToken });

      // Assess
      expect(unlock.status).toBe(404);
    },
    slowTest,
  );
});

describe('session hygiene', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
  }, slowTest);

  it.each(['confirm', 'disable', 'regenerate'] as const)(
    '%s ends every other session of the user; the one that made the change goes on',
    async (change) => {
      // Prepare
      const user = change === 'confirm' ? null : await signUpAndEnroll(app);
      const email = user?.email ?? uniqueEmail();
      const mine = user
        ? (await signIn(app, user)).body.session.token
        : (await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } })).body.session.token;
      const other = user
        ? (await signIn(app, user, { backupCode: user.backupCodes[0] })).body.session.token
        : (await login(app, email)).body.session.token;

      // Act
      if (change === 'confirm') {
        const { decodeQrDataUrl } = await import('../support/qr.js');
        const { awayFromStepBoundary, totpCode } = await import('../support/authenticator.js');
        const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: mine });
        const secret = new URL(decodeQrDataUrl(enrollment.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
        await awayFromStepBoundary();
        expect(
          (await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, { token: mine, body: { code: totpCode(secret) } })).status,
        ).toBe(200);
      } else {
        const path = change === 'disable' ? '2fa/disable' : '2fa/backup-codes';
        expect((await call('POST', `/v1/apps/${app.appId}/${path}`, { token: mine, body: { code: await nextCode(user!) } })).status).toBe(
          200,
        );
      }

      // Assess
      expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: mine })).status).toBe(200);
      expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: other })).status).toBe(401);
    },
    slowTest,
  );
});
