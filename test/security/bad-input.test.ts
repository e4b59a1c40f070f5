import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hashToken as sha256 } from '../../functions/core/tokens.js';
import { challengeSlotKey } from '../../functions/adapters/dynamodb/codecs/login-challenge.js';
import {
  type ApiResponse,
  type TestApp,
  call,
  createTestApp,
  documentClient,
  loginChallenge,
  password,
  signUpAndEnroll,
  uniqueEmail,
} from '../support/api.js';

interface Route {
  method: string;
  path: (app: TestApp) => string;
  /** A body the route would accept, used as the base of the bad variants. */
  body?: Record<string, unknown>;
  auth: 'none' | 'session' | 'admin';
}

const routes: Route[] = [
  { method: 'POST', path: (app) => `/v1/apps/${app.appId}/signup`, body: { email: 'someone@example.test', password }, auth: 'none' },
  { method: 'POST', path: (app) => `/v1/apps/${app.appId}/login`, body: { email: 'someone@example.test', password }, auth: 'none' },
  {
    method: 'POST',
    path: (app) => `/v1/apps/${app.appId}/login/verify`,
    body: { challengeToken: 'x'.repeat(43), code: '123456' },
    auth: 'none',
  },
  { method: 'POST', path: (app) => `/v1/apps/${app.appId}/2fa/enrollment`, auth: 'session' },
  { method: 'POST', path: (app) => `/v1/apps/${app.appId}/2fa/enrollment/confirm`, body: { code: '123456' }, auth: 'session' },
  { method: 'POST', path: (app) => `/v1/apps/${app.appId}/2fa/backup-codes`, body: { code: '123456' }, auth: 'session' },
  { method: 'POST', path: (app) => `/v1/apps/${app.appId}/2fa/disable`, body: { code: '123456' }, auth: 'session' },
  { method: 'GET', path: (app) => `/v1/apps/${app.appId}/me`, auth: 'session' },
  { method: 'POST', path: (app) => `/v1/apps/${app.appId}/logout`, auth: 'session' },
  { method: 'GET', path: (app) => `/v1/apps/${app.appId}/settings/two-factor`, auth: 'admin' },
  { method: 'PUT', path: (app) => `/v1/apps/${app.appId}/settings/two-factor`, body: { mode: 'optional' }, auth: 'admin' },
  { method: 'POST', path: (app) => `/v1/apps/${app.appId}/publish`, auth: 'admin' },
  { method: 'GET', path: (app) => `/v1/apps/${app.appId}/users`, auth: 'admin' },
  {
    method: 'POST',
    path: (app) => `/v1/apps/${app.appId}/users/usr_AAAAAAAAAAAAAAAAAAAAAA/2fa/reset`,
    body: { reason: 'x' },
    auth: 'admin',
  },
  { method: 'GET', path: (app) => `/v1/apps/${app.appId}/audit-events`, auth: 'admin' },
];
const postRoutes = routes.filter((route) => route.method !== 'GET');
const name = (route: Route) => `${route.method} ${route.path({ appId: '{appId}' } as TestApp)}`;

/** Every refusal is a 4xx of API.md with a stable code, never a 5xx or a stack trace. */
function expectCleanRefusal(response: ApiResponse, status: number, code: string): void {
  expect([response.status, response.body?.error?.code]).toEqual([status, code]);
  expect(typeof response.body.error.message).toBe('string');
  expect(response.text).not.toMatch(/\bat [\w.<>]+ \(|node_modules|Error:|\.ts:\d+/);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('cache-control')).toBe('no-store');
}

describe('bad input', () => {
  let app: TestApp;
  let memberToken: string;
  let stateBefore: string;

  /** What a refusal must not change: the users, the settings and the audit log. */
  async function observableState(): Promise<string> {
    const [users, settings, audit] = await Promise.all([
      call('GET', `/v1/apps/${app.appId}/users?limit=100`, { token: app.adminToken }),
      call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken }),
      call('GET', `/v1/apps/${app.appId}/audit-events?limit=100`, { token: app.adminToken }),
    ]);
    return JSON.stringify([users.body, settings.body, audit.body]);
  }

  beforeAll(async () => {
    app = await createTestApp({ plan: 'business', mode: 'optional' });
    memberToken = (await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } })).body.session.token;
    stateBefore = await observableState();
  });

  const tokenFor = (route: Route) => (route.auth === 'admin' ? app.adminToken : route.auth === 'session' ? memberToken : undefined);

  it.each(postRoutes.map((route) => [name(route), route]))('%s refuses malformed JSON', async (_name, route) => {
    const response = await call(route.method, route.path(app), { token: tokenFor(route), rawBody: '{"email": "a@b.c",' });
    expectCleanRefusal(response, 400, 'validation_error');
  });

  it.each(postRoutes.map((route) => [name(route), route]))('%s refuses unknown fields', async (_name, route) => {
    const response = await call(route.method, route.path(app), { token: tokenFor(route), body: { ...route.body, isAdmin: true } });
    expectCleanRefusal(response, 400, 'validation_error');
    expect(response.body.error.issues.length).toBeGreaterThan(0);
  });

  it.each(postRoutes.filter((route) => route.body).map((route) => [name(route), route]))('%s refuses wrong types', async (_name, route) => {
    const wrongTypes = Object.fromEntries(Object.keys(route.body!).map((key) => [key, 12345]));
    const response = await call(route.method, route.path(app), { token: tokenFor(route), body: wrongTypes });
    expectCleanRefusal(response, 400, 'validation_error');
    expect(response.body.error.issues.map((issue: { path: string }) => issue.path)).toContain(`body.${Object.keys(route.body!)[0]}`);
  });

  it.each(postRoutes.map((route) => [name(route), route]))('%s refuses a body over 16 KiB with 413', async (_name, route) => {
    const response = await call(route.method, route.path(app), {
      token: tokenFor(route),
      body: { ...route.body, padding: 'x'.repeat(17 * 1024) },
    });
    expectCleanRefusal(response, 413, 'payload_too_large');
  });

  it.each(postRoutes.filter((route) => route.body).map((route) => [name(route), route]))(
    '%s refuses a body that is not JSON',
    async (_name, route) => {
      const response = await call(route.method, route.path(app), {
        token: tokenFor(route),
        rawBody: 'code=123456',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expectCleanRefusal(response, 400, 'validation_error');
    },
  );

  it.each(routes.filter((route) => route.auth !== 'none').map((route) => [name(route), route]))(
    '%s refuses a missing, malformed or unknown token',
    async (_name, route) => {
      for (const token of [undefined, 'not a token', 'A'.repeat(43)]) {
        const response = await call(route.method, route.path(app), { token, body: route.body });
        expectCleanRefusal(response, 401, 'unauthorized');
      }
    },
  );

  it.each(routes.map((route) => [name(route), route]))(
    '%s answers 404 (or 401 for an app-scoped token) for an unknown app',
    async (_name, route) => {
      const unknown = { ...app, appId: 'no-such-app' };
      const response = await call(route.method, route.path(unknown), { token: tokenFor(route), body: route.body });
      if (route.auth === 'none' && route.path(unknown).endsWith('/verify')) expectCleanRefusal(response, 401, 'challenge_invalid');
      else if (route.auth === 'none') expectCleanRefusal(response, 404, 'not_found');
      else expectCleanRefusal(response, 401, 'unauthorized');
    },
  );

  it('refuses an app id that cannot be one', async () => {
    expectCleanRefusal(
      await call('POST', '/v1/apps/bad%20app!/signup', { body: { email: 'a@b.test', password } }),
      400,
      'validation_error',
    );
  });

  it.each([
    ['a short password', { email: 'ok@example.test', password: 'short' }],
    ['an invalid email', { email: 'not-an-email', password }],
    ['a missing password', { email: 'ok@example.test' }],
    ['an array', [1, 2]],
    ['null', null],
  ])('refuses a sign-up with %s', async (_label, body) => {
    expectCleanRefusal(await call('POST', `/v1/apps/${app.appId}/signup`, { body }), 400, 'validation_error');
  });

  it.each([
    ['a code with letters', { code: '12a456' }],
    ['a 5-digit code', { code: '12345' }],
    ['both a code and a backup code', { code: '123456', backupCode: 'abcde-fghjk' }],
    ['neither', {}],
  ])('refuses a verify with %s', async (_label, extra) => {
    expectCleanRefusal(
      await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken: 'x'.repeat(43), ...extra } }),
      400,
      'validation_error',
    );
  });

  it.each([
    ['a limit of 0', '?limit=0'],
    ['a limit over 100', '?limit=101'],
    ['a limit that is not a number', '?limit=ten'],
    ['an unknown parameter', '?sort=email'],
    ['a garbage cursor', '?cursor=%%%'],
  ])('refuses a users query with %s', async (_label, query) => {
    expectCleanRefusal(await call('GET', `/v1/apps/${app.appId}/users${query}`, { token: app.adminToken }), 400, 'validation_error');
  });

  it('answers unknown routes and methods with not_found', async () => {
    expectCleanRefusal(await call('GET', '/v1/nothing-here'), 404, 'not_found');
    expectCleanRefusal(await call('DELETE', `/v1/apps/${app.appId}/me`, { token: memberToken }), 404, 'not_found');
  });

  it('answers an unknown email and a wrong password alike', async () => {
    const unknown = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: uniqueEmail('nobody'), password } });
    const wrong = await call('POST', `/v1/apps/${app.appId}/login`, {
      body: { email: uniqueEmail('x').replace(/^/, ''), password: 'wrong password!' },
    });
    const member = await call('GET', `/v1/apps/${app.appId}/me`, { token: memberToken });
    const wrongForMember = await call('POST', `/v1/apps/${app.appId}/login`, {
      body: { email: member.body.user.email, password: 'wrong password!' },
    });

    for (const response of [unknown, wrong, wrongForMember]) {
      expectCleanRefusal(response, 401, 'invalid_credentials');
      expect(response.body).toEqual(unknown.body);
    }
  });

  it('does not accept a session token as a challenge', async () => {
    const response = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken: memberToken, code: '123456' } });
    expectCleanRefusal(response, 401, 'challenge_invalid');
  });

  it('does not accept a login challenge as a session, not even for enrollment', async () => {
    const user = await signUpAndEnroll(app);
    const challengeToken = await loginChallenge(app, user.email);

    expectCleanRefusal(await call('GET', `/v1/apps/${app.appId}/me`, { token: challengeToken }), 401, 'unauthorized');
    expectCleanRefusal(await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: challengeToken }), 401, 'unauthorized');
  });

  it('treats an expired session and an expired challenge as absent, even before TTL deletes them', async () => {
    const user = await signUpAndEnroll(app);
    const challengeToken = await loginChallenge(app, user.email);
    const client = documentClient();
    const expire = (pk: string, sk: string) =>
      client.send(
        new UpdateCommand({
          TableName: process.env.TWOFA_TABLE_NAME,
          Key: { pk, sk },
          UpdateExpression: 'SET expiresAt = :past',
          ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
        }),
      );
    await expire(`SESSION#${sha256(user.sessionToken)}`, 'SESSION');
    // A login challenge is an entry of its user's factor (see codecs/login-challenge.ts).
    await client.send(
      new UpdateCommand({
        TableName: process.env.TWOFA_TABLE_NAME,
        Key: { pk: `USER#${user.userId}`, sk: 'TOTP' },
        UpdateExpression: 'SET challenges.#challenge.e = :past',
        ConditionExpression: 'attribute_exists(challenges.#challenge)',
        ExpressionAttributeNames: { '#challenge': challengeSlotKey(sha256(challengeToken)) },
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    client.destroy();

    expectCleanRefusal(await call('GET', `/v1/apps/${app.appId}/me`, { token: user.sessionToken }), 401, 'unauthorized');
    expectCleanRefusal(
      await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, code: '123456' } }),
      401,
      'challenge_invalid',
    );
  });

  it('changed nothing with all of the above', async () => {
    const users = JSON.parse(await observableState())[0].users.length;
    const before = JSON.parse(stateBefore)[0].users.length;
    // The two users enrolled on purpose by the token tests above are the only additions.
    expect(users).toBe(Number(before) + 2);
    const [, settingsNow, auditNow] = JSON.parse(await observableState());
    const [, settingsBefore] = JSON.parse(stateBefore);
    expect(settingsNow).toEqual(settingsBefore);
    expect(auditNow.events.filter((event: { type: string }) => !['two_factor.enrolled'].includes(event.type))).toEqual(
      JSON.parse(stateBefore)[2].events,
    );
  });
});
