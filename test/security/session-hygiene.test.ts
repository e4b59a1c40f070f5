import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import { type TestApp, call, createTestApp, loginChallenge, password, signUpAndEnroll, uniqueEmail } from '../support/api.js';

describe('session hygiene', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
  });

  it('issues a new token after the second factor: the challenge token never becomes the session', async () => {
    const user = await signUpAndEnroll(app);
    const challengeToken = await loginChallenge(app, user.email);
    await awayFromStepBoundary();

    const verified = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken, code: totpCode(user.secret, currentStep()) },
    });
    const challengeAsSession = await call('GET', `/v1/apps/${app.appId}/me`, { token: challengeToken });
    const challengeAgain = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken, code: totpCode(user.secret, currentStep() + 1) },
    });

    expect(verified.body.session.token).not.toBe(challengeToken);
    expect(verified.body.session.assurance).toBe('two_factor');
    expect(challengeAsSession.status).toBe(401);
    expect([challengeAgain.status, challengeAgain.body.error.code]).toEqual([401, 'challenge_invalid']);
  });

  it('issues a new token when an enrollment challenge is confirmed, and spends the challenge', async () => {
    const required = await createTestApp({ mode: 'required' });
    const signup = await call('POST', `/v1/apps/${required.appId}/signup`, { body: { email: uniqueEmail(), password } });
    const challengeToken: string = signup.body.challenge.token;
    const started = await call('POST', `/v1/apps/${required.appId}/2fa/enrollment`, { token: challengeToken });
    const secret = new URL(started.body.otpauthUri).searchParams.get('secret')!;
    await awayFromStepBoundary();

    const confirmed = await call('POST', `/v1/apps/${required.appId}/2fa/enrollment/confirm`, {
      token: challengeToken,
      body: { code: totpCode(secret, currentStep()) },
    });
    const challengeAgain = await call('POST', `/v1/apps/${required.appId}/2fa/enrollment`, { token: challengeToken });
    const session = await call('GET', `/v1/apps/${required.appId}/me`, { token: confirmed.body.session.token });

    expect(confirmed.body.session.token).not.toBe(challengeToken);
    expect(confirmed.body.session.assurance).toBe('two_factor');
    expect(challengeAgain.status).toBe(401);
    expect(session.status).toBe(200);
  });

  it('kills every session and challenge of the user on a reset, and none comes back', async () => {
    const user = await signUpAndEnroll(app);
    await awayFromStepBoundary();
    const step = currentStep();
    const sessions = [user.sessionToken];
    for (const offset of [0, 1]) {
      const verified = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
        body: { challengeToken: await loginChallenge(app, user.email), code: totpCode(user.secret, step + offset) },
      });
      sessions.push(verified.body.session.token);
    }
    const pendingChallenge = await loginChallenge(app, user.email);

    await call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, { token: app.adminToken, body: { reason: 'lost phone' } });
    const afterwards = await Promise.all(sessions.map((token) => call('GET', `/v1/apps/${app.appId}/me`, { token })));
    const challenge = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: pendingChallenge, backupCode: user.backupCodes[0] },
    });

    expect(afterwards.map((answer) => answer.status)).toEqual([401, 401, 401]);
    expect([challenge.status, challenge.body.error.code]).toEqual([401, 'challenge_invalid']);
  });

  it('kills the old backup codes when they are regenerated', async () => {
    const user = await signUpAndEnroll(app);
    await awayFromStepBoundary();

    const regenerated = await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret, currentStep()) },
    });
    const oldCode = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, user.email), backupCode: user.backupCodes[1] },
    });
    const newCode = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, user.email), backupCode: regenerated.body.backupCodes[1] },
    });

    expect([oldCode.status, oldCode.body.error.code]).toEqual([401, 'invalid_code']);
    expect(newCode.body.status).toBe('SIGNED_IN');
  });

  it('kills the backup codes and the authenticator when 2FA is disabled', async () => {
    const user = await signUpAndEnroll(app);
    await awayFromStepBoundary();

    const disabled = await call('POST', `/v1/apps/${app.appId}/2fa/disable`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret, currentStep()) },
    });
    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: user.email, password } });
    const regenerate = await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, {
      token: login.body.session.token,
      body: { code: totpCode(user.secret, currentStep() + 1) },
    });

    expect(disabled.status).toBe(200);
    expect(login.body.status).toBe('SIGNED_IN');
    expect([regenerate.status, regenerate.body.error.code]).toEqual([409, 'not_enrolled']);
  });
});
