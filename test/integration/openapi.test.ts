/**
 * The service answers as its OpenAPI document says: `GET /v1/openapi.json` serves the committed document,
 * and real answers of every route (successes and the errors a client meets) parse with the documented
 * schemas, carry no undocumented field and use only documented statuses and codes.
 */
import { readFileSync } from 'node:fs';
import { DomainError, type ErrorCode } from '../../functions/core/errors.js';
import { type Operation, operations } from '../../functions/openapi/contract.js';
import { errorsOf } from '../../functions/openapi/document.js';
import { errorBody } from '../../functions/openapi/responses.js';
import { httpSteps } from '../../functions/routes.js';
import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import {
  type ApiResponse,
  type TestApp,
  call,
  createTestApp,
  loginChallenge,
  password,
  publishMode,
  signUpAndEnroll,
  uniqueEmail,
} from '../support/api.js';

/** Every (step, status, error code) seen, to show the suite met what the document promises. */
const seen = new Set<string>();

/** The answer is one the document gives `step`: a success with its schema, or an error of its status. */
function expectDocumented(step: string, response: ApiResponse): void {
  const operation: Operation = operations[step]!;
  const httpStep = httpSteps.find((candidate) => candidate.step === step)!;
  if (response.status === operation.success.status) {
    seen.add(`${step} ${response.status}`);
    if (!operation.success.body) return;
    if (operation.success.textFile && /^text\/plain/.test(response.headers.get('content-type') ?? '')) return;
    const parsed = operation.success.body.safeParse(response.body);
    expect(parsed.error?.issues ?? []).toEqual([]);
    // The schemas strip what they do not name: an undocumented field makes the two differ.
    expect(parsed.data).toStrictEqual(response.body);
    return;
  }
  const code = response.body?.error?.code as ErrorCode;
  seen.add(`${step} ${response.status} ${code}`);
  const codesOfStatus = errorsOf(httpStep, operation).filter((candidate) => new DomainError(candidate, '').statusCode === response.status);
  expect({ step, status: response.status, code, documented: codesOfStatus.includes(code) }).toEqual({
    step,
    status: response.status,
    code,
    documented: true,
  });
  const parsed = errorBody(codesOfStatus as [ErrorCode, ...ErrorCode[]]).safeParse(response.body);
  expect(parsed.error?.issues ?? []).toEqual([]);
  expect(parsed.data).toStrictEqual(response.body);
  if (response.status === 429 || response.status === 503)
    expect(response.headers.get('retry-after')).toBe(String(response.body.error.retryAfterSeconds));
}

async function step(name: string, method: string, path: string, options: Parameters<typeof call>[2] = {}): Promise<ApiResponse> {
  const response = await call(method, path, options);
  expectDocumented(name, response);
  return response;
}

describe('the served OpenAPI document', () => {
  it('is the committed docs/openapi.json, as JSON with the API’s headers', async () => {
    const response = await step('openapi', 'GET', '/v1/openapi.json');

    expect(response.status).toBe(200);
    expect(response.body).toEqual(JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')));
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});

describe('answers against the OpenAPI document', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ plan: 'business', mode: 'optional' });
  });

  it('end user routes: sign-up, enrollment, sign-in, backup codes, disable, me, logout', async () => {
    const base = `/v1/apps/${app.appId}`;
    const email = uniqueEmail('openapi');
    const signup = await step('signup', 'POST', `${base}/signup`, { body: { email, password } });
    await step('signup', 'POST', `${base}/signup`, { body: { email, password } });
    await step('signup', 'POST', '/v1/apps/no-such-app/signup', { body: { email, password } });
    await step('signup', 'POST', `${base}/signup`, { body: { email: 'not-an-email', password } });
    await step('login', 'POST', `${base}/login`, { body: { email, password: 'not-the-password-0f3b' } });
    const token: string = signup.body.session.token;

    const enrollment = await step('enrollment-start', 'POST', `${base}/2fa/enrollment`, { token });
    await step('enrollment-start', 'POST', `${base}/2fa/enrollment`, {});
    const secret = new URL(enrollment.body.otpauthUri).searchParams.get('secret')!;
    await awayFromStepBoundary(8_000);
    const step0 = currentStep();
    await step('enrollment-confirm', 'POST', `${base}/2fa/enrollment/confirm`, { token, body: { code: totpCode(secret, step0 + 5) } });
    const confirmed = await step('enrollment-confirm', 'POST', `${base}/2fa/enrollment/confirm`, {
      token,
      body: { code: totpCode(secret, step0 - 1) },
    });
    await step('enrollment-confirm', 'POST', `${base}/2fa/enrollment/confirm`, { token, body: { code: totpCode(secret, step0) } });
    await step('enrollment-start', 'POST', `${base}/2fa/enrollment`, { token });

    const challengeToken = await loginChallenge(app, email);
    await step('login-verify', 'POST', `${base}/login/verify`, { body: { challengeToken, code: totpCode(secret, step0 + 5) } });
    await step('login-verify', 'POST', `${base}/login/verify`, { body: { challengeToken, backupCode: confirmed.body.backupCodes[0] } });
    await step('login-verify', 'POST', `${base}/login/verify`, { body: { challengeToken, code: totpCode(secret, step0) } });
    const viaCode = await step('login-verify', 'POST', `${base}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, email), code: totpCode(secret, step0) },
    });
    expect(viaCode.body.session.assurance).toBe('two_factor');

    await step('me', 'GET', `${base}/me`, { token });
    await step('me', 'GET', `${base}/me`, {});
    await step('backup-codes', 'POST', `${base}/2fa/backup-codes`, { token, body: { code: totpCode(secret, step0 + 5) } });
    await step('backup-codes', 'POST', `${base}/2fa/backup-codes`, { token, body: { code: totpCode(secret, step0 + 1) } });
    await step('disable', 'POST', `${base}/2fa/disable`, { token, body: { code: 'abcdef' } });
    await step('disable', 'POST', `${base}/2fa/disable`, { token, body: { code: totpCode(secret, step0 + 5) } });
    await step('logout', 'POST', `${base}/logout`, { token });
    await step('logout', 'POST', `${base}/logout`, { token });
    await step('health', 'GET', '/v1/health');
    await step('login', 'POST', `${base}/login`, { rawBody: JSON.stringify({ email, password, padding: 'x'.repeat(17 * 1024) }) });

    for (const expected of [
      'signup 201',
      'signup 409 email_taken',
      'signup 404 not_found',
      'signup 400 validation_error',
      'login 401 invalid_credentials',
      'login 413 payload_too_large',
    ]) {
      expect(seen).toContain(expected);
    }
    for (const expected of [
      'enrollment-start 201',
      'enrollment-start 401 unauthorized',
      'enrollment-start 409 already_enabled',
      'enrollment-confirm 401 invalid_code',
      'enrollment-confirm 200',
    ]) {
      expect(seen).toContain(expected);
    }
    for (const expected of [
      'login-verify 401 invalid_code',
      'login-verify 200',
      'login-verify 401 challenge_invalid',
      'backup-codes 200',
      'backup-codes 401 invalid_code',
      'disable 400 validation_error',
      'disable 401 invalid_code',
      'logout 204',
      'logout 401 unauthorized',
    ]) {
      expect(seen).toContain(expected);
    }
  });

  it('end user routes: lockout, 2FA not offered, required before anything else, disabled', async () => {
    const user = await signUpAndEnroll(app);
    const base = `/v1/apps/${app.appId}`;
    await step('disable', 'POST', `${base}/2fa/disable`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret, user.confirmedStep + 1) },
    });
    await step('disable', 'POST', `${base}/2fa/disable`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret, user.confirmedStep + 2) },
    });
    expect(seen).toContain('disable 200');
    expect(seen).toContain('disable 409 not_enrolled');

    const locked = await signUpAndEnroll(app);
    for (let attempt = 0; attempt < 11; attempt++) {
      const challengeToken = await loginChallenge(app, locked.email);
      await step('login-verify', 'POST', `${base}/login/verify`, {
        body: { challengeToken, code: totpCode(locked.secret, locked.confirmedStep + 20) },
      });
    }
    expect(seen).toContain('login-verify 429 too_many_attempts');
    for (let attempt = 0; attempt < 10; attempt++)
      await step('login', 'POST', `${base}/login`, { body: { email: locked.email, password: 'not the password' } });
    expect(seen).toContain('login 429 too_many_attempts');

    const offApp = await createTestApp({ plan: 'enterprise' });
    const offUser = await call('POST', `/v1/apps/${offApp.appId}/signup`, { body: { email: uniqueEmail(), password } });
    await step('enrollment-start', 'POST', `/v1/apps/${offApp.appId}/2fa/enrollment`, { token: offUser.body.session.token });
    expect(seen).toContain('enrollment-start 403 two_factor_not_available');
    await publishMode(offApp, 'required');
    await step('backup-codes', 'POST', `/v1/apps/${offApp.appId}/2fa/backup-codes`, {
      token: offUser.body.session.token,
      body: { code: '123456' },
    });
    await step('users-list', 'GET', `/v1/apps/${offApp.appId}/users`, { token: offApp.adminToken });
    expect(seen).toContain('backup-codes 403 two_factor_required');
    expect(seen).toContain('users-list 403 two_factor_required');
    const required = await step('signup', 'POST', `/v1/apps/${offApp.appId}/signup`, { body: { email: uniqueEmail(), password } });
    expect(required.body.status).toBe('TWO_FACTOR_ENROLLMENT_REQUIRED');
  });

  it('admin routes: settings, publish, users, reset, audit events', async () => {
    const base = `/v1/apps/${app.appId}`;
    const member = await call('POST', `${base}/signup`, { body: { email: uniqueEmail(), password } });
    const memberToken: string = member.body.session.token;
    const token = app.adminToken;

    await step('settings-get', 'GET', `${base}/settings/two-factor`, { token });
    await step('settings-get', 'GET', `${base}/settings/two-factor`, { token: memberToken });
    await step('settings-put', 'PUT', `${base}/settings/two-factor`, { token, body: { mode: 'required' } });
    await step('settings-put', 'PUT', `${base}/settings/two-factor`, { token, body: { mode: 'sometimes' } });
    await step('settings-put', 'PUT', `${base}/settings/two-factor`, { token, body: { mode: 'optional' } });
    await step('publish', 'POST', `${base}/publish`, { token });
    await step('publish', 'POST', `${base}/publish`, { token: memberToken });
    const users = await step('users-list', 'GET', `${base}/users?limit=2`, { token });
    await step('users-list', 'GET', `${base}/users?limit=2&cursor=${encodeURIComponent(users.body.nextCursor)}`, { token });
    await step('users-list', 'GET', `${base}/users?limit=0`, { token });
    await step('user-reset', 'POST', `${base}/users/${member.body.user.id}/2fa/reset`, { token, body: { reason: 'support ticket 42' } });
    await step('user-reset', 'POST', `${base}/users/${member.body.user.id}/2fa/reset`, { token });
    await step('user-reset', 'POST', `${base}/users/usr_AAAAAAAAAAAAAAAAAAAAAA/2fa/reset`, { token });
    await step('audit-events', 'GET', `${base}/audit-events?limit=5`, { token });
    await step('audit-events', 'GET', `${base}/audit-events`, { token: memberToken });

    for (const expected of [
      'settings-get 200',
      'settings-get 403 forbidden',
      'settings-put 403 plan_upgrade_required',
      'settings-put 400 validation_error',
      'settings-put 200',
      'publish 200',
      'users-list 200',
      'users-list 400 validation_error',
      'user-reset 200',
      'user-reset 404 not_found',
      'audit-events 200',
      'audit-events 401 unauthorized',
    ]) {
      expect(seen).toContain(expected);
    }
  });
});
