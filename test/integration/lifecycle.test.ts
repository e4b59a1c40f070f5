import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import { type TestApp, call, createTestApp, documentClient, password, publishMode, uniqueEmail } from '../support/api.js';
import { decodeQrDataUrl } from '../support/qr.js';

/**
 * The whole 2FA lifecycle of the product page, over HTTP against the local stack:
 * sign-up → link the authenticator (QR) → confirm → backup codes → login with TOTP → login with a backup
 * code → admin reset → re-enrollment.
 */
describe('the 2FA lifecycle', () => {
  let app: TestApp;
  const email = uniqueEmail('lifecycle');
  let signUpToken: string;
  let secret: string;
  let otpauthUri: string;
  let backupCodes: string[];
  let userId: string;
  const issuedTokens: string[] = [];

  beforeAll(async () => {
    app = await createTestApp({ name: 'Demo Portal & Friends' });
    await publishMode(app, 'optional');
  });

  it('signs a user up with a password session and suggests 2FA under the optional mode', async () => {
    const response = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'SIGNED_IN',
      session: { assurance: 'password' },
      user: { email, role: 'member' },
      twoFactor: { available: true, suggested: true },
    });
    expect(response.body.session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    signUpToken = response.body.session.token;
    userId = response.body.user.id;
    issuedTokens.push(signUpToken);
  });

  it('shows the authenticator secret as a QR code that decodes to the otpauth URI, and as a grouped manual key', async () => {
    const response = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: signUpToken });

    expect(response.status).toBe(201);
    otpauthUri = response.body.otpauthUri;
    const issuer = encodeURIComponent(app.name);
    expect(otpauthUri).toMatch(
      new RegExp(
        `^otpauth://totp/${escape(issuer)}:${escape(encodeURIComponent(email))}\\?secret=[A-Z2-7]{32}&issuer=${escape(issuer)}&algorithm=SHA1&digits=6&period=30$`,
      ),
    );
    expect(decodeQrDataUrl(response.body.qrCode.pngDataUrl)).toBe(otpauthUri);
    expect(response.body.qrCode.svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    secret = new URL(otpauthUri).searchParams.get('secret')!;
    expect(new URL(otpauthUri).searchParams.get('issuer')).toBe('Demo Portal & Friends');
    expect(response.body.manualEntryKey).toBe(secret.match(/.{4}/g)!.join(' '));
    expect(Date.parse(response.body.expiresAt)).toBeGreaterThan(Date.now());
  });

  it('refuses a wrong confirmation code and says how many attempts remain', async () => {
    const wrong = totpCode(secret, currentStep() + 10);

    const response = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, { token: signUpToken, body: { code: wrong } });

    expect(response.status).toBe(401);
    expect(response.body.error).toMatchObject({ code: 'invalid_code', attemptsRemaining: 4 });
  });

  it('confirms with the code the authenticator shows and hands out 10 backup codes and the .txt file', async () => {
    await awayFromStepBoundary();
    const response = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, {
      token: signUpToken,
      body: { code: totpCode(secret, currentStep() - 1) },
    });

    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ENABLED');
    backupCodes = response.body.backupCodes;
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    for (const code of backupCodes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    expect(response.body.backupCodesFile).toMatchObject({ filename: expect.stringMatching(/\.txt$/), contentType: 'text/plain' });
    for (const code of backupCodes) expect(response.body.backupCodesFile.content).toContain(code);
    expect(response.body.session).toBeUndefined();
  });

  it('reports the enrolled factor in me', async () => {
    const response = await call('GET', `/v1/apps/${app.appId}/me`, { token: signUpToken });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      user: { id: userId, email, role: 'member' },
      twoFactor: { enabled: true, backupCodesRemaining: 10 },
      app: { id: app.appId, name: app.name, twoFactorMode: 'optional' },
    });
    expect(Date.parse(response.body.twoFactor.enabledAt)).not.toBeNaN();
  });

  it('asks an enrolled user for the second factor at login and accepts the current code', async () => {
    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } });
    expect(login.status).toBe(200);
    expect(login.body.status).toBe('TWO_FACTOR_REQUIRED');
    expect(login.body.session).toBeUndefined();

    const verify = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: login.body.challenge.token, code: totpCode(secret) },
    });

    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ status: 'SIGNED_IN', session: { assurance: 'two_factor' }, user: { id: userId } });
    expect(verify.body.session.token).not.toBe(login.body.challenge.token);
    issuedTokens.push(verify.body.session.token, login.body.challenge.token);
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: verify.body.session.token })).status).toBe(200);
  });

  it('accepts a backup code typed in upper case without its hyphen, once, and counts what is left', async () => {
    const challengeToken = (await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } })).body.challenge.token;
    const typed = backupCodes[3]!.replace('-', '').toUpperCase();

    const verify = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, backupCode: typed } });

    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ status: 'SIGNED_IN', backupCodesRemaining: 9 });
    const again = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: {
        challengeToken: (await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } })).body.challenge.token,
        backupCode: backupCodes[3],
      },
    });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_code');
    issuedTokens.push(verify.body.session.token);
  });

  it('shows the user as set up in the admin users table, with the 2FA column', async () => {
    const response = await call('GET', `/v1/apps/${app.appId}/users`, { token: app.adminToken });

    expect(response.status).toBe(200);
    expect(response.body.twoFactorColumn).toBe(true);
    expect(response.body.users).toContainEqual({
      id: userId,
      email,
      role: 'member',
      createdAt: expect.any(String),
      twoFactorSetupComplete: true,
      twoFactorStatus: 'enrolled',
      twoFactorEnrolledAt: expect.any(String),
      enrollBy: null,
    });
  });

  it('lets the admin reset the user: sessions die, the column turns false, and an audit event names the admin', async () => {
    const before = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } });
    const pendingChallenge = before.body.challenge.token;

    const reset = await call('POST', `/v1/apps/${app.appId}/users/${userId}/2fa/reset`, {
      token: app.adminToken,
      body: { reason: 'lost phone' },
    });

    expect(reset.status).toBe(200);
    expect(reset.body.user).toMatchObject({ id: userId, email, twoFactorSetupComplete: false });
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: signUpToken })).status).toBe(401);
    const deadChallenge = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: pendingChallenge, code: totpCode(secret, currentStep() + 1) },
    });
    expect(deadChallenge.status).toBe(401);
    expect(deadChallenge.body.error.code).toBe('challenge_invalid');
    const users = await call('GET', `/v1/apps/${app.appId}/users`, { token: app.adminToken });
    expect(users.body.users.find((user: { id: string }) => user.id === userId).twoFactorSetupComplete).toBe(false);
    const audit = await call('GET', `/v1/apps/${app.appId}/audit-events`, { token: app.adminToken });
    const adminId = (await call('GET', `/v1/apps/${app.appId}/me`, { token: app.adminToken })).body.user.id;
    expect(audit.body.events[0]).toMatchObject({ type: 'two_factor.reset', actorId: adminId, targetUserId: userId });
    expect(audit.body.events.map((event: { type: string }) => event.type)).toEqual(
      expect.arrayContaining(['two_factor.enrolled', 'backup_code.used', 'config.published', 'settings.updated', 'app.created']),
    );
  });

  it('lets the reset user sign in with the password alone and enroll a new authenticator', async () => {
    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } });
    expect(login.body).toMatchObject({ status: 'SIGNED_IN', session: { assurance: 'password' }, twoFactor: { suggested: true } });
    const token = login.body.session.token;
    issuedTokens.push(token);

    const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token });
    const newSecret = new URL(decodeQrDataUrl(enrollment.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
    expect(newSecret).not.toBe(secret);
    const confirm = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, { token, body: { code: totpCode(newSecret) } });

    expect(confirm.status).toBe(200);
    expect(confirm.body.backupCodes).toHaveLength(10);
    const oldBackupCode = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: {
        challengeToken: (await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } })).body.challenge.token,
        backupCode: backupCodes[0],
      },
    });
    expect(oldBackupCode.body.error.code).toBe('invalid_code');
    secret = newSecret;
    backupCodes = [...backupCodes, ...confirm.body.backupCodes];
  });

  it('logs out: the session stops working', async () => {
    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } });
    await awayFromStepBoundary();
    const verify = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: login.body.challenge.token, code: totpCode(secret, currentStep() + 1) },
    });
    const token = verify.body.session.token;

    const logout = await call('POST', `/v1/apps/${app.appId}/logout`, { token });

    expect(logout.status).toBe(204);
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token })).status).toBe(401);
  });

  it('stores no secret, code, token or password in plaintext', async () => {
    const client = documentClient();
    const items = JSON.stringify((await client.send(new ScanCommand({ TableName: process.env.TWOFA_TABLE_NAME }))).Items);
    client.destroy();

    expect(items).toContain(userId);
    for (const needle of [secret, password, ...backupCodes, ...backupCodes.map((code) => code.replace('-', '')), ...issuedTokens]) {
      expect(items).not.toContain(needle);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
