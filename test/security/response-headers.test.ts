import { type ApiResponse, type TestApp, call, createTestApp, password } from '../support/api.js';

/** One answer of each kind: success, 204, each error family, a file, the preflight, no route at all. */
async function answersOfEveryKind(app: TestApp): Promise<[string, ApiResponse][]> {
  const session = (await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: app.adminEmail, password } })).body.session.token;
  return [
    ['200 health', await call('GET', '/v1/health')],
    ['200 me', await call('GET', `/v1/apps/${app.appId}/me`, { token: app.adminToken })],
    ['204 logout', await call('POST', `/v1/apps/${app.appId}/logout`, { token: session })],
    ['400 validation_error', await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: 'nope' } })],
    ['401 unauthorized', await call('GET', `/v1/apps/${app.appId}/me`)],
    [
      '401 invalid_credentials',
      await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: app.adminEmail, password: 'not-the-password-0f3b' } }),
    ],
    [
      '403 preflight',
      await call('OPTIONS', `/v1/apps/${app.appId}/me`, {
        headers: { origin: 'https://evil.example.test', 'access-control-request-method': 'GET' },
      }),
    ],
    ['404 not_found', await call('GET', '/v1/nothing-here')],
    ['404 unknown app', await call('GET', `/v1/apps/no-such-app/settings/two-factor`, { token: app.adminToken })],
    [
      '413 payload_too_large',
      await call('POST', `/v1/apps/${app.appId}/login`, { rawBody: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(20_000) }) }),
    ],
  ];
}

describe('security headers', () => {
  it('are on every answer of the API, errors included', async () => {
    const app = await createTestApp();

    for (const [kind, answer] of await answersOfEveryKind(app)) {
      const headers = Object.fromEntries(
        ['x-content-type-options', 'cache-control', 'content-security-policy', 'strict-transport-security'].map((name) => [
          name,
          answer.headers.get(name),
        ]),
      );
      expect({ kind, ...headers }).toEqual({
        kind,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'strict-transport-security': expect.stringMatching(/^max-age=\d{7,}/),
      });
    }
  });
});
