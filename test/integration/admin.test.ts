import { type TestApp, call, createTestApp, invokePlatform, password, signUpAndEnroll, uniqueEmail } from '../support/api.js';

describe('admin settings and publishing', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ plan: 'enterprise' });
  });

  it('starts an app with mode off in the draft and nothing published', async () => {
    const response = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      plan: 'enterprise',
      allowedModes: ['off', 'optional', 'required'],
      enforcementOptions: true,
      draft: { mode: 'off', rememberDeviceDays: 0, requiredGraceDays: 0, requiredForRoles: [] },
      published: null,
      unpublishedChanges: true,
    });
  });

  it('changes only the draft until publish: end users still see the published mode', async () => {
    const put = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken, body: { mode: 'optional' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ draft: { mode: 'optional' }, published: null, unpublishedChanges: true });
    const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } });
    expect(signup.body.twoFactor).toEqual({ available: false, suggested: false, enrollBy: null });

    const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: signup.body.session.token });

    expect(enrollment.status).toBe(403);
    expect(enrollment.body.error.code).toBe('two_factor_not_available');
  });

  it('publishes the draft as a new config version that runtime decisions then read', async () => {
    const publish = await call('POST', `/v1/apps/${app.appId}/publish`, { token: app.adminToken });

    expect(publish.status).toBe(200);
    expect(publish.body).toMatchObject({ version: 1, config: { twoFactor: { mode: 'optional' } } });
    const settings = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });
    expect(settings.body).toMatchObject({
      draft: { mode: 'optional' },
      published: { mode: 'optional', version: 1, publishedAt: publish.body.publishedAt },
      unpublishedChanges: false,
    });
    const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } });
    expect(signup.body.twoFactor).toEqual({ available: true, suggested: true, enrollBy: null });
    const second = await call('POST', `/v1/apps/${app.appId}/publish`, { token: app.adminToken });
    expect(second.body.version).toBe(2);
  });

  it('lists users a page at a time with an opaque cursor', async () => {
    for (let i = 0; i < 4; i++) await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail('page'), password } });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const response = await call('GET', `/v1/apps/${app.appId}/users${query}`, { token: app.adminToken });
      expect(response.status).toBe(200);
      expect(response.body.users.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.users.map((user: { id: string }) => user.id));
      cursor = response.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);

    const all = await call('GET', `/v1/apps/${app.appId}/users?limit=100`, { token: app.adminToken });
    expect(seen).toEqual(all.body.users.map((user: { id: string }) => user.id));
    expect(seen.length).toBeGreaterThanOrEqual(7);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses a cursor it did not make', async () => {
    const forged = Buffer.from('APP#other#whatever').toString('base64url');

    const response = await call('GET', `/v1/apps/${app.appId}/users?cursor=${forged}`, { token: app.adminToken });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_error');
  });

  it('keeps non-admins out of every admin endpoint', async () => {
    const member = (await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } })).body;
    const token = member.session?.token;
    const calls: [string, string, unknown?][] = [
      ['GET', `/v1/apps/${app.appId}/settings/two-factor`],
      ['PUT', `/v1/apps/${app.appId}/settings/two-factor`, { mode: 'off' }],
      ['POST', `/v1/apps/${app.appId}/publish`],
      ['GET', `/v1/apps/${app.appId}/users`],
      ['POST', `/v1/apps/${app.appId}/users/${member.user.id}/2fa/reset`, {}],
      ['GET', `/v1/apps/${app.appId}/audit-events`],
    ];
    for (const [method, path, body] of calls) {
      const response = await call(method, path, { token, body });
      expect([path, response.status, response.body.error?.code]).toEqual([path, 403, 'forbidden']);
      const anonymous = await call(method, path, { body });
      expect([path, anonymous.status, anonymous.body.error?.code]).toEqual([path, 401, 'unauthorized']);
    }
  });

  it('answers 404 for a user of another app or no user at all', async () => {
    const other = await createTestApp({ plan: 'enterprise' });
    const foreignUser = (await call('POST', `/v1/apps/${other.appId}/signup`, { body: { email: uniqueEmail(), password } })).body.user.id;

    const foreign = await call('POST', `/v1/apps/${app.appId}/users/${foreignUser}/2fa/reset`, { token: app.adminToken });
    const missing = await call('POST', `/v1/apps/${app.appId}/users/usr_AAAAAAAAAAAAAAAAAAAAAA/2fa/reset`, { token: app.adminToken });

    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'not_found']);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
  });

  it('makes an admin token of one app worthless on another app', async () => {
    const other = await createTestApp({ plan: 'enterprise' });

    const response = await call('GET', `/v1/apps/${other.appId}/settings/two-factor`, { token: app.adminToken });

    expect(response.status).toBe(401);
  });
});

describe('plans limit the modes', () => {
  it.each([
    ['free', 'optional'],
    ['pro', 'optional'],
    ['business', 'required'],
  ] as const)('refuses mode %s → %s with plan_upgrade_required and leaves the draft as it was', async (plan, mode) => {
    const app = await createTestApp({ plan });

    const response = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken, body: { mode } });

    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('plan_upgrade_required');
    expect((await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken })).body.draft.mode).toBe('off');
  });

  it('lets a business app offer 2FA (optional)', async () => {
    const app = await createTestApp({ plan: 'business' });

    const response = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken, body: { mode: 'optional' } });

    expect(response.status).toBe(200);
    expect(response.body.allowedModes).toEqual(['off', 'optional']);
  });
});

describe('platform functions', () => {
  it('setPlan lowers the draft and the published mode the new plan no longer allows', async () => {
    const app = await createTestApp({ plan: 'enterprise', mode: 'required' });

    const lowered = await invokePlatform('setPlan', { appId: app.appId, plan: 'business' });

    expect(lowered.error).toBeUndefined();
    const settings = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });
    expect(settings.body).toMatchObject({ plan: 'business', draft: { mode: 'optional' }, published: { mode: 'optional', version: 2 } });
    const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } });
    expect(signup.body.status).toBe('SIGNED_IN');
  });

  it('never leaves a mode live that the plan forbids when a downgrade races a publish', async () => {
    for (let round = 0; round < 5; round++) {
      const app = await createTestApp({ plan: 'enterprise' });
      await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken, body: { mode: 'required' } });

      await Promise.all([
        invokePlatform('setPlan', { appId: app.appId, plan: 'business' }),
        call('POST', `/v1/apps/${app.appId}/publish`, { token: app.adminToken }),
      ]);

      const settings = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });
      expect(settings.body.plan).toBe('business');
      expect(['off', 'optional']).toContain(settings.body.draft.mode);
      expect(['off', 'optional']).toContain(settings.body.published?.mode ?? 'off');
    }
  });

  it('resetTwoFactor has the admin reset effect and records the platform actor', async () => {
    const app = await createTestApp({ plan: 'enterprise', mode: 'optional' });
    const user = await signUpAndEnroll(app);

    const reset = await invokePlatform('resetTwoFactor', {
      appId: app.appId,
      userId: user.userId,
      reason: 'support ticket 42',
      actor: 'ops@example.test',
    });

    expect(reset.result).toMatchObject({ user: { id: user.userId, twoFactorSetupComplete: false } });
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: user.sessionToken })).status).toBe(401);
    const audit = await call('GET', `/v1/apps/${app.appId}/audit-events?limit=1`, { token: app.adminToken });
    expect(audit.body.events[0]).toMatchObject({
      type: 'two_factor.reset',
      actorId: 'platform:ops@example.test',
      targetUserId: user.userId,
    });
    expect(audit.body.nextCursor).toEqual(expect.any(String));
  });

  it('reports invalid payloads and unknown apps as coded errors', async () => {
    const invalid = await invokePlatform('createApp', { name: 'X', plan: 'platinum', adminEmail: 'nope', adminPassword: 'short' });
    const unknown = await invokePlatform('setPlan', { appId: 'no-such-app', plan: 'pro' });

    expect(invalid.error?.errorType).toBe('validation_error');
    expect(unknown.error?.errorType).toBe('not_found');
  });
});

describe('the seeded demo app', () => {
  it('is Demo Portal on the enterprise plan with 2FA off in draft and published config', async () => {
    const login = await call('POST', '/v1/apps/demo/login', {
      body: { email: 'admin@demo.test', password: process.env.TWOFA_DEMO_ADMIN_PASSWORD },
    });
    expect(login.body.status).toBe('SIGNED_IN');

    const settings = await call('GET', '/v1/apps/demo/settings/two-factor', { token: login.body.session.token });

    expect(settings.body).toMatchObject({
      plan: 'enterprise',
      draft: { mode: 'off' },
      published: { mode: 'off', version: 1 },
      unpublishedChanges: false,
    });
    const me = await call('GET', '/v1/apps/demo/me', { token: login.body.session.token });
    expect(me.body.app).toEqual({ id: 'demo', name: 'Demo Portal', twoFactorMode: 'off' });
    expect(me.body.user.role).toBe('admin');
  });

  it('answers the health check', async () => {
    const response = await call('GET', '/v1/health');
    expect([response.status, response.body]).toEqual([200, { status: 'ok' }]);
  });
});
