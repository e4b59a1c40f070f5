import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import { type TestApp, call, createTestApp, password, publishMode, signUpAndEnroll, uniqueEmail } from '../support/api.js';
import { decodeQrDataUrl } from '../support/qr.js';

/** Enterprise apps may require 2FA: nobody gets a session without a confirmed second factor. */
describe('the required mode', () => {
  let app: TestApp;
  let existingEmail: string;

  beforeAll(async () => {
    app = await createTestApp({ plan: 'enterprise' });
    existingEmail = uniqueEmail('existing');
    await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: existingEmail, password } });
    await publishMode(app, 'required');
  });

  it('gives a new user an enrollment challenge at sign-up instead of a session', async () => {
    const response = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } });

    expect(response.status).toBe(201);
    expect(response.body.status).toBe('TWO_FACTOR_ENROLLMENT_REQUIRED');
    expect(response.body.session).toBeUndefined();
    expect(response.body.challenge.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(response.body.challenge.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60 * 1000);
  });

  it('does not accept the enrollment challenge as a session anywhere else', async () => {
    const challengeToken = (await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } })).body.challenge
      .token;

    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: challengeToken })).status).toBe(401);
    expect((await call('POST', `/v1/apps/${app.appId}/logout`, { token: challengeToken })).status).toBe(401);
    expect((await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, { token: challengeToken, body: { code: '123456' } })).status).toBe(
      401,
    );
    const verify = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, code: '123456' } });
    expect(verify.status).toBe(401);
    expect(verify.body.error.code).toBe('challenge_invalid');
  });

  it('issues the session only when the enrollment is confirmed, and spends the challenge', async () => {
    const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } });
    const challengeToken = signup.body.challenge.token;
    const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: challengeToken });
    expect(enrollment.status).toBe(201);
    const secret = new URL(decodeQrDataUrl(enrollment.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
    await awayFromStepBoundary();

    const confirm = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, {
      token: challengeToken,
      body: { code: totpCode(secret) },
    });

    expect(confirm.status).toBe(200);
    expect(confirm.body).toMatchObject({ status: 'ENABLED', session: { assurance: 'two_factor' } });
    expect(confirm.body.backupCodes).toHaveLength(10);
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: confirm.body.session.token })).body.twoFactor.enabled).toBe(true);
    const reuse = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: challengeToken });
    expect(reuse.status).toBe(401);
  });

  it('makes an existing user without a factor enroll at the next login', async () => {
    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: existingEmail, password } });

    expect(login.status).toBe(200);
    expect(login.body.status).toBe('TWO_FACTOR_ENROLLMENT_REQUIRED');
    const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: login.body.challenge.token });
    expect(enrollment.status).toBe(201);
  });

  it('asks enrolled users for their code at every login', async () => {
    const user = await signUpAndEnroll(app);

    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: user.email, password } });

    expect(login.body.status).toBe('TWO_FACTOR_REQUIRED');
    const verify = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: login.body.challenge.token, code: totpCode(user.secret, user.confirmedStep + 1) },
    });
    expect(verify.body.status).toBe('SIGNED_IN');
  });

  it('refuses to disable 2FA while the mode is required', async () => {
    const user = await signUpAndEnroll(app);

    const response = await call('POST', `/v1/apps/${app.appId}/2fa/disable`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret, currentStep()) },
    });

    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('two_factor_required');
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: user.sessionToken })).body.twoFactor.enabled).toBe(true);
  });

  it('refuses a second enrollment of an enrolled user', async () => {
    const user = await signUpAndEnroll(app);

    const response = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: user.sessionToken });

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('already_enabled');
  });

  it('limits a password session from before the mode was required to enrolling, me and logout', async () => {
    const other = await createTestApp({ plan: 'enterprise', mode: 'optional' });
    const member = (await call('POST', `/v1/apps/${other.appId}/signup`, { body: { email: uniqueEmail(), password } })).body.session.token;
    await publishMode(other, 'required');

    const adminSettings = await call('GET', `/v1/apps/${other.appId}/settings/two-factor`, { token: other.adminToken });
    const me = await call('GET', `/v1/apps/${other.appId}/me`, { token: member });
    const enrollment = await call('POST', `/v1/apps/${other.appId}/2fa/enrollment`, { token: other.adminToken });

    expect([adminSettings.status, adminSettings.body.error.code]).toEqual([403, 'two_factor_required']);
    expect(me.body).toMatchObject({ twoFactor: { enabled: false }, app: { twoFactorMode: 'required' } });
    expect(enrollment.status).toBe(201);
    const secret = new URL(enrollment.body.otpauthUri).searchParams.get('secret')!;
    await awayFromStepBoundary();
    const confirm = await call('POST', `/v1/apps/${other.appId}/2fa/enrollment/confirm`, {
      token: other.adminToken,
      body: { code: totpCode(secret) },
    });
    expect(confirm.status).toBe(200);
    expect((await call('GET', `/v1/apps/${other.appId}/settings/two-factor`, { token: other.adminToken })).status).toBe(200);
  });
});
