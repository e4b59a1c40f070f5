import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import { type TestApp, call, createTestApp, loginChallenge, password, signUpAndEnroll } from '../support/api.js';

describe('backup code regeneration and disabling 2FA (optional mode)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ plan: 'business', mode: 'optional' });
  });

  it('regenerates the backup codes with a current code: the old set dies, the new set works', async () => {
    const user = await signUpAndEnroll(app);

    const response = await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret, user.confirmedStep + 1) },
    });

    expect(response.status).toBe(200);
    expect(response.body.backupCodes).toHaveLength(10);
    expect(response.body.backupCodesFile.content).toContain(response.body.backupCodes[0]);
    const old = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, user.email), backupCode: user.backupCodes[0] },
    });
    expect(old.body.error.code).toBe('invalid_code');
    const fresh = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, user.email), backupCode: response.body.backupCodes[0] },
    });
    expect(fresh.body).toMatchObject({ status: 'SIGNED_IN', backupCodesRemaining: 9 });
  });

  it('answers Accept: text/plain with the .txt file as an attachment', async () => {
    const user = await signUpAndEnroll(app);

    const response = await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, {
      token: user.sessionToken,
      headers: { accept: 'text/plain' },
      body: { code: totpCode(user.secret, user.confirmedStep + 1) },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9-]+-backup-codes\.txt"$/);
    const codes = response.text.match(/[0-9a-z]{5}-[0-9a-z]{5}/g);
    expect(codes).toHaveLength(10);
    expect(response.text).toContain(user.email);
  });

  it('refuses regeneration with a wrong code and keeps the old set', async () => {
    const user = await signUpAndEnroll(app);

    const response = await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret, currentStep() + 5) },
    });

    expect(response.status).toBe(401);
    expect(response.body.error).toMatchObject({ code: 'invalid_code', attemptsRemaining: 9 });
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: user.sessionToken })).body.twoFactor.backupCodesRemaining).toBe(10);
  });

  it('refuses regeneration for a user without 2FA', async () => {
    const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: `plain-${Date.now()}@example.test`, password } });

    const response = await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, {
      token: signup.body.session.token,
      body: { code: '123456' },
    });

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('not_enrolled');
  });

  it('disables 2FA with a current code: login asks for no second factor afterwards', async () => {
    const user = await signUpAndEnroll(app);

    const response = await call('POST', `/v1/apps/${app.appId}/2fa/disable`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret, user.confirmedStep + 1) },
    });

    expect(response.status).toBe(200);
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: user.sessionToken })).body.twoFactor).toEqual({
      enabled: false,
      enabledAt: null,
      backupCodesRemaining: null,
      required: false,
      enrollBy: null,
    });
    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: user.email, password } });
    expect(login.body).toMatchObject({ status: 'SIGNED_IN', session: { assurance: 'password' } });
    const again = await call('POST', `/v1/apps/${app.appId}/2fa/disable`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret) },
    });
    expect(again.body.error.code).toBe('not_enrolled');
  });

  it('refuses to disable with a code from the past step once a newer one was used', async () => {
    const user = await signUpAndEnroll(app);
    await awayFromStepBoundary();

    const response = await call('POST', `/v1/apps/${app.appId}/2fa/disable`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret, user.confirmedStep) },
    });

    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_code');
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: user.sessionToken })).body.twoFactor.enabled).toBe(true);
  });
});
