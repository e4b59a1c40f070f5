import { randomBytes } from 'node:crypto';
import { type TestApp, call, createTestApp, invokePlatform, password, uniqueEmail } from '../support/api.js';

function portalOrigin(): string {
  return `https://portal-${randomBytes(4).toString('hex')}.example.test`;
}

async function preflight(appId: string, origin: string, path = '2fa/enrollment') {
  return call('OPTIONS', `/v1/apps/${appId}/${path}`, {
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
}

describe('CORS answers only an app’s allowed origins', () => {
  const allowed = portalOrigin();
  let app: TestApp;
  let other: TestApp;

  beforeAll(async () => {
    const adminEmail = uniqueEmail('admin');
    const created = await invokePlatform<{ appId: string }>('createApp', {
      name: 'CORS Portal',
      plan: 'enterprise',
      adminEmail,
      adminPassword: password,
      allowedOrigins: [allowed],
    });
    const login = await call('POST', `/v1/apps/${created.result!.appId}/login`, { body: { email: adminEmail, password } });
    app = { appId: created.result!.appId, name: 'CORS Portal', adminEmail, adminToken: login.body.session.token };
    other = await createTestApp();
  });

  it('lets the allowed origin read answers, errors included, and the headers a portal needs', async () => {
    const ok = await call('GET', `/v1/apps/${app.appId}/me`, { token: app.adminToken, headers: { origin: allowed } });
    const refused = await call('GET', `/v1/apps/${app.appId}/me`, { headers: { origin: allowed } });

    for (const answer of [ok, refused]) {
      expect(answer.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(answer.headers.get('access-control-expose-headers')).toContain('Retry-After');
      expect(answer.headers.get('vary')).toContain('Origin');
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    }
    expect([ok.status, refused.status]).toEqual([200, 401]);
  });

  it('gives any other origin no CORS headers, so the browser keeps the answer from it', async () => {
    const answers = await Promise.all([
      call('GET', `/v1/apps/${app.appId}/me`, { token: app.adminToken, headers: { origin: 'https://evil.example.test' } }),
      call('GET', `/v1/apps/${app.appId}/me`, { token: app.adminToken, headers: { origin: `${allowed}.evil.test` } }),
      call('GET', `/v1/apps/${app.appId}/me`, { token: app.adminToken, headers: { origin: 'null' } }),
      // An origin of app A is worthless on app B.
      call('GET', `/v1/apps/${other.appId}/me`, { token: other.adminToken, headers: { origin: allowed } }),
    ]);

    for (const answer of answers) expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers the allowed origin’s preflight with what it may send, and refuses every other', async () => {
    const ok = await preflight(app.appId, allowed);
    const deepPath = await preflight(app.appId, allowed, 'users/usr_0123456789012345678901/2fa/reset');
    const stranger = await preflight(app.appId, 'https://evil.example.test');
    const otherApp = await preflight(other.appId, allowed);

    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT');
    expect(ok.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(Number(ok.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(deepPath.status).toBe(204);
    for (const refused of [stranger, otherApp]) {
      expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('lets the platform replace an app’s origins, and records who did', async () => {
    // A fresh app: a function instance trusts what it read of an app's origins for 30 s.
    const changing = await createTestApp();
    const next = portalOrigin();

    const changed = await invokePlatform('setAllowedOrigins', { appId: changing.appId, allowedOrigins: [next], actor: 'ops@example.test' });
    const answer = await call('GET', `/v1/apps/${changing.appId}/me`, { token: changing.adminToken, headers: { origin: next } });
    const audit = await call('GET', `/v1/apps/${changing.appId}/audit-events`, { token: changing.adminToken });

    expect(changed.result).toEqual({ appId: changing.appId, allowedOrigins: [next] });
    expect(answer.headers.get('access-control-allow-origin')).toBe(next);
    expect(audit.body.events.find((event: { type: string }) => event.type === 'allowed_origins.changed')?.actorId).toBe(
      'platform:ops@example.test',
    );
  });

  it.each([
    ['*'],
    ['https://portal.example.test/'],
    ['https://portal.example.test/path'],
    ['http://portal.example.test'],
    ['portal.example.test'],
    ['https://*.example.test'],
  ])('refuses %s as an allowed origin', async (origin) => {
    const answer = await invokePlatform('setAllowedOrigins', { appId: other.appId, allowedOrigins: [origin] });

    expect(answer.error?.errorType).toBe('validation_error');
  });

  it('refuses origins for an app that does not exist', async () => {
    const answer = await invokePlatform('setAllowedOrigins', { appId: 'no-such-app', allowedOrigins: [portalOrigin()] });

    expect(answer.error?.errorType).toBe('not_found');
  });
});
