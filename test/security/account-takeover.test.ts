import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import {
  type ApiResponse,
  type TestApp,
  call,
  createTestApp,
  documentClient,
  nextCode,
  password,
  signUpAndEnroll,
  uniqueEmail,
} from '../support/api.js';
import { ageSecondFactor, enrollAdmin, login, setRememberDays, signIn } from '../support/devices.js';
import { inParallel, isCountedRefusal, parallelRequests } from '../support/parallel.js';
import { storedItem } from '../support/table.js';

/**
 * Attacks that turn the service's own defences against its users (issue: "accounts an attacker cannot
 * lock, strip or hijack"): each must fail.
 */

const wrongPassword = 'not the password at all';

async function guessPasswords(app: TestApp, email: string, times: number) {
  let answer: ApiResponse | undefined;
  for (let i = 0; i < times; i++) answer = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password: wrongPassword } });
  return answer!;
}

describe('lockout as a weapon', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
  });

  it("an anonymous attacker's wrong passwords (any case of the email) never lock out the owner's device", async () => {
    // Prepare
    const user = await signUpAndEnroll(app);

    // Act
    const attacker = await guessPasswords(app, user.email.toUpperCase(), 12);
    const owner = await login(app, user.email, user.deviceToken);

    // Assess
    expect(attacker.status).toBe(429);
    expect((await login(app, user.email)).status).toBe(429);
    expect(owner.status).toBe(200);
    expect(owner.body.status).toBe('TWO_FACTOR_REQUIRED');
    const verify = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: owner.body.challenge.token, code: await nextCode(user) },
    });
    expect(verify.body.status).toBe('SIGNED_IN');
  }, 120_000);

  it("protects admins the same way: the admin's own device signs in through a lockout", async () => {
    // Prepare
    const adminLogin = await login(app, app.adminEmail);
    const adminDevice: string = adminLogin.body.device.token;

    // Act
    await guessPasswords(app, app.adminEmail, 10);

    // Assess
    expect((await login(app, app.adminEmail)).status).toBe(429);
    expect((await login(app, app.adminEmail, adminDevice)).body.status).toBe('SIGNED_IN');
  });

  it("an attacker who knows the password cannot lock the second factor of the owner's device", async () => {
    // Prepare
    const user = await signUpAndEnroll(app);

    // Act: ten wrong codes from an unknown client lock the account's second factor for unknown clients
    let attacker: ApiResponse | undefined;
    for (let i = 0; i < 10; i++) {
      const challenge = (await login(app, user.email)).body.challenge.token;
      attacker = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken: challenge, code: '000000' } });
    }

    // Assess
    expect(attacker!.status).toBe(429);
    const blocked = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: (await login(app, user.email)).body.challenge.token, code: await nextCode(user) },
    });
    expect(blocked.status).toBe(429);
    const owner = await login(app, user.email, user.deviceToken);
    const verify = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: owner.body.challenge.token, code: await nextCode(user) },
    });
    expect(verify.body.status).toBe('SIGNED_IN');
  }, 120_000);

  it("counts a known device's own failures against that device alone", async () => {
    // Prepare
    const user = await signUpAndEnroll(app);
    const thief = (await login(app, user.email)).body;

    // Act: ten wrong passwords sent with the owner's device token lock that device
    let onDevice: ApiResponse | undefined;
    for (let i = 0; i < 10; i++)
      onDevice = await call('POST', `/v1/apps/${app.appId}/login`, {
        body: { email: user.email, password: wrongPassword, deviceToken: user.deviceToken },
      });

    // Assess
    expect(onDevice!.status).toBe(429);
    expect((await login(app, user.email, user.deviceToken)).status).toBe(429);
    expect(thief.status).toBe('TWO_FACTOR_REQUIRED');
    expect((await login(app, user.email)).body.status).toBe('TWO_FACTOR_REQUIRED');
  });

  it('does not lock again on the first wrong guess after a lock has expired', async () => {
    // Prepare: a lock that has just expired
    const email = uniqueEmail();
    await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } });
    expect((await guessPasswords(app, email, 10)).status).toBe(429);
    const client = documentClient();
    try {
      await client.send(
        new UpdateCommand({
          TableName: process.env.TWOFA_TABLE_NAME,
          Key: keys.passwordFailures(app.appId, email),
          UpdateExpression: 'SET lockedUntil = :past',
          ExpressionAttributeValues: { ':past': Date.now() - 1_000 },
        }),
      );
    } finally {
      client.destroy();
    }

    // Act
    const oneGuess = await guessPasswords(app, email, 1);
    const owner = await login(app, email);

    // Assess
    expect([oneGuess.status, oneGuess.body.error.code]).toEqual([401, 'invalid_credentials']);
    expect(owner.body.status).toBe('SIGNED_IN');
  });

  it('lets a locked user back in after an admin unlock, and after an admin reset', async () => {
    // Prepare
    const unlocked = await signUpAndEnroll(app);
    const reset = await signUpAndEnroll(app);
    await guessPasswords(app, unlocked.email, 10);
    await guessPasswords(app, reset.email, 10);
    expect((await login(app, unlocked.email)).status).toBe(429);
    expect((await login(app, reset.email)).status).toBe(429);

    // Act
    expect((await call('POST', `/v1/apps/${app.appId}/users/${unlocked.userId}/unlock`, { token: app.adminToken })).status).toBe(200);
    expect((await call('POST', `/v1/apps/${app.appId}/users/${reset.userId}/2fa/reset`, { token: app.adminToken })).status).toBe(200);

    // Assess
    expect((await login(app, unlocked.email)).body.status).toBe('TWO_FACTOR_REQUIRED');
    expect((await login(app, reset.email)).body.status).toBe('SIGNED_IN');
  });
});

describe('a stolen session cannot strip 2FA', () => {
  let app: TestApp;
  let admin: Awaited<ReturnType<typeof enrollAdmin>>;
  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
    admin = await enrollAdmin(app);
    // The stolen session: the admin's, its second factor proven long ago.
    await ageSecondFactor(admin.token, 11 * 60_000);
  });

  it('cannot reset or unlock anyone, nor lower the mode, nor remember devices longer, nor publish any of it', async () => {
    // Prepare
    const victim = await signUpAndEnroll(app);

    // Act
    const answers = [
      await call('POST', `/v1/apps/${app.appId}/users/${victim.userId}/2fa/reset`, { token: admin.token, body: { reason: 'stolen' } }),
      await call('POST', `/v1/apps/${app.appId}/users/${victim.userId}/unlock`, { token: admin.token }),
      await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token: admin.token, body: { mode: 'off' } }),
      await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, {
        token: admin.token,
        body: { mode: 'optional', rememberDeviceDays: 30 },
      }),
    ];

    // Assess
    for (const answer of answers) expect([answer.status, answer.body.error.code]).toEqual([403, 'step_up_required']);
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: victim.sessionToken })).body.twoFactor.enabled).toBe(true);
    const settings = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: admin.token });
    expect(settings.body).toMatchObject({
      draft: { mode: 'optional', rememberDeviceDays: 0 },
      published: { mode: 'optional', rememberDeviceDays: 0 },
    });
  });

  it("cannot reset or unlock the admin's own account, even with a fresh second factor", async () => {
    // Prepare
    expect(
      (await call('POST', `/v1/apps/${app.appId}/2fa/step-up`, { token: admin.token, body: { backupCode: admin.backupCodes[0] } })).status,
    ).toBe(200);

    // Act
    const reset = await call('POST', `/v1/apps/${app.appId}/users/${admin.userId}/2fa/reset`, { token: admin.token });
    const unlock = await call('POST', `/v1/apps/${app.appId}/users/${admin.userId}/unlock`, { token: admin.token });

    // Assess
    expect([reset.status, reset.body.error.code]).toEqual([403, 'forbidden']);
    expect([unlock.status, unlock.body.error.code]).toEqual([403, 'forbidden']);
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: admin.token })).body.twoFactor.enabled).toBe(true);
    await ageSecondFactor(admin.token, 11 * 60_000);
  }, 120_000);

  it('a remembered-device session has proven no second factor', async () => {
    // Prepare: the admin trusts a browser; a thief takes the session it gets without a code
    const strict = await createTestApp({ mode: 'optional' });
    const strictAdmin = await enrollAdmin(strict);
    await setRememberDays(strict, 'optional', 7, strictAdmin.token);
    const trusted = await signIn(strict, strictAdmin, { rememberDevice: true });
    const remembered = await login(strict, strict.adminEmail, trusted.body.device.token);
    expect(remembered.body.session.assurance).toBe('remembered_device');
    const victim = await signUpAndEnroll(strict);

    // Act
    const reset = await call('POST', `/v1/apps/${strict.appId}/users/${victim.userId}/2fa/reset`, { token: remembered.body.session.token });

    // Assess
    expect([reset.status, reset.body.error.code]).toEqual([403, 'step_up_required']);
  }, 150_000);
});

describe('sessions end with the change that should end them', () => {
  it("linking an authenticator ends the attacker's older password session; sign out everywhere ends all", async () => {
    // Prepare: the attacker signs in with a leaked password before the owner links an authenticator
    const app = await createTestApp({ mode: 'optional' });
    const email = uniqueEmail();
    const owner = (await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } })).body.session.token;
    const attacker = (await login(app, email)).body.session.token;

    // Act
    const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: owner });
    const { decodeQrDataUrl } = await import('../support/qr.js');
    const secret = new URL(decodeQrDataUrl(enrollment.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
    await awayFromStepBoundary();
    const confirmedStep = currentStep();
    expect(
      (
        await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, {
          token: owner,
          body: { code: totpCode(secret, confirmedStep) },
        })
      ).status,
    ).toBe(200);

    // Assess
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: attacker })).status).toBe(401);
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: owner })).status).toBe(200);
    const again = await signIn(app, { email, userId: '', secret, backupCodes: [], sessionToken: owner, confirmedStep, deviceToken: '' });
    expect((await call('POST', `/v1/apps/${app.appId}/logout/all`, { token: again.body.session.token })).status).toBe(204);
    for (const token of [owner, again.body.session.token])
      expect((await call('GET', `/v1/apps/${app.appId}/me`, { token })).status).toBe(401);
  }, 120_000);
});

describe('races', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
    await setRememberDays(app, 'optional', 7);
  });

  it('of 50 parallel logins presenting a device remembered before a reset, none skips the second factor', async () => {
    // Prepare: the device is remembered, the admin resets the user, who links an authenticator again
    const user = await signUpAndEnroll(app);
    const trusted = await signIn(app, user, { deviceToken: user.deviceToken, rememberDevice: true });
    const deviceToken: string = trusted.body.device.token;
    expect((await login(app, user.email, deviceToken)).body.session.assurance).toBe('remembered_device');
    expect((await call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, { token: app.adminToken })).status).toBe(200);
    const session = (await login(app, user.email, deviceToken)).body.session.token;
    const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: session });
    const { decodeQrDataUrl } = await import('../support/qr.js');
    const secret = new URL(decodeQrDataUrl(enrollment.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
    await awayFromStepBoundary();
    expect(
      (await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, { token: session, body: { code: totpCode(secret) } })).status,
    ).toBe(200);

    // Act
    const answers = await inParallel(parallelRequests, () => login(app, user.email, deviceToken));

    // Assess: a challenge each, or the lockout that logins in flight at once run into; never a session
    expect(answers.filter((answer) => answer.body.status === 'SIGNED_IN')).toHaveLength(0);
    expect(answers.every((answer) => answer.body.status === 'TWO_FACTOR_REQUIRED' || answer.status === 429)).toBe(true);
    expect(answers.filter((answer) => answer.body.status === 'TWO_FACTOR_REQUIRED').length).toBeGreaterThan(0);
  }, 120_000);

  it('of 50 parallel logins presenting a remembered device while an admin resets the user, no session outlives the reset', async () => {
    // Prepare
    const user = await signUpAndEnroll(app);
    const trusted = await signIn(app, user, { deviceToken: user.deviceToken, rememberDevice: true });
    const deviceToken: string = trusted.body.device.token;

    // Act: the reset may meet a 503 while fifty password hashes hold the one local process (nothing is
    // committed then, and the admin retries, as Retry-After says)
    const resetUntilDone = async () => {
      let reset = await call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, { token: app.adminToken });
      for (let retry = 0; retry < 5 && reset.status === 503; retry++)
        reset = await call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, { token: app.adminToken });
      return reset;
    };
    const [answers, reset] = await Promise.all([inParallel(parallelRequests, () => login(app, user.email, deviceToken)), resetUntilDone()]);

    // Assess
    expect(reset.status).toBe(200);
    // A session that skipped the second factor was issued before the reset and dies with it; the others are
    // password sessions issued after it, to a user who has no second factor any more.
    const skipped = answers
      .filter((answer) => answer.body.session?.assurance === 'remembered_device')
      .map((answer) => answer.body.session.token as string);
    for (const token of skipped) expect((await call('GET', `/v1/apps/${app.appId}/me`, { token })).status).toBe(401);
    const after = answers
      .filter((answer) => answer.body.session?.assurance === 'password')
      .map((answer) => answer.body.session.token as string);
    for (const token of after) expect((await call('GET', `/v1/apps/${app.appId}/me`, { token })).body.twoFactor.enabled).toBe(false);
  }, 120_000);

  it('of 50 parallel step-ups with one code, exactly one is accepted', async () => {
    // Prepare
    const user = await signUpAndEnroll(app);
    await awayFromStepBoundary();
    const step = currentStep();
    const code = totpCode(user.secret, step);

    // Act
    const answers = await inParallel(parallelRequests, () =>
      call('POST', `/v1/apps/${app.appId}/2fa/step-up`, { token: user.sessionToken, body: { code } }),
    );

    // Assess
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => !isCountedRefusal(answer) && answer.status !== 200).map((answer) => answer.text)).toEqual([]);
    expect((await storedItem(`USER#${user.userId}`, 'TOTP'))!.lastAcceptedStep).toBe(step);
  }, 120_000);
});
