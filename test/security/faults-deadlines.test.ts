import { randomBytes } from 'node:crypto';
import { totpCode } from '../support/authenticator.js';
import {
  type ApiResponse,
  call,
  createTestApp,
  invokePlatform,
  loginChallenge,
  password,
  signUp,
  signUpAndEnroll,
  uniqueEmail,
} from '../support/api.js';
import { coldDataKey } from '../support/cold-data-key.js';
import { type FaultRule, type MeasuredInvocation, faultSwitch, shortDeadline } from '../support/faults.js';
import { tokenHash } from '../support/table.js';

/**
 * Issue 11, deadlines everywhere: with a dependency hanging on every attempt, each step stops retrying at its
 * request's deadline (what its Lambda context says is left, less a margin) and answers 503 `service_unavailable`
 * with Retry-After itself, before the function's timeout would cut it off. The steps here get a short timeout
 * (the test stack's deadline control), and the stack measures how long each invocation took: three attempts of
 * up to 2 s each would take over 6 s, far past it.
 */
const timeoutMs = 4_000;
/** Longer than any deadline: the SDK must give up on the call, the proxy then drops it. */
const hang = { delayMs: 60_000 };

interface Case {
  name: string;
  /** The route key (or platform function) the stack records the invocation under. */
  invocation: string;
  send(): Promise<ApiResponse | { platformError: string | undefined }>;
}

interface Outcome {
  answer: ApiResponse | { platformError: string | undefined };
  invocation: MeasuredInvocation | undefined;
}

/** Sends every case at once under the rules and a short deadline for `scopes`; each case's answer and measured invocation. */
async function underHang(scopes: string[], rules: FaultRule[], cases: Case[]): Promise<Map<string, Outcome>> {
  const deadlines = await Promise.all(scopes.map((scope) => shortDeadline(scope, timeoutMs)));
  const faults = faultSwitch(`faults-deadlines-${randomBytes(6).toString('hex')}`);
  await faults.inject(rules);
  try {
    const answers = await Promise.all(cases.map((each) => each.send()));
    const invocations = (await Promise.all(deadlines.map((deadline) => deadline.invocations()))).flat();
    return new Map(
      cases.map((each, index) => [
        each.name,
        { answer: answers[index]!, invocation: invocations.find((invocation) => invocation.name === each.invocation) },
      ]),
    );
  } finally {
    await faults.clear();
    await Promise.all(deadlines.map((deadline) => deadline.end()));
  }
}

const http = (method: string, path: string, route: string, options: Parameters<typeof call>[2] = {}): Omit<Case, 'name'> => ({
  invocation: `${method} /v1/apps/{appId}${route}`,
  send: () => call(method, path, options),
});

const platform = (functionName: string, payload: unknown): Omit<Case, 'name'> => ({
  invocation: functionName,
  send: async () => ({ platformError: (await invokePlatform(functionName, payload)).error?.errorType }),
});

function expectAnsweredInTime(outcome: Outcome | undefined): void {
  const answer = outcome!.answer;
  if ('platformError' in answer) expect(answer.platformError).toBe('service_unavailable');
  else
    expect({ status: answer.status, retryAfter: answer.headers.get('retry-after'), code: answer.body?.error?.code }).toEqual({
      status: 503,
      retryAfter: '1',
      code: 'service_unavailable',
    });
  expect(outcome!.invocation).toMatchObject({ timeoutMs });
  expect(outcome!.invocation!.elapsedMs).toBeLessThan(timeoutMs);
}

describe('a DynamoDB that hangs on every attempt', () => {
  let outcomes: Map<string, Outcome>;
  const cases: Case[] = [];

  beforeAll(async () => {
    const app = await createTestApp({ mode: 'optional' });
    const enrolled = await signUpAndEnroll(app);
    const unenrolled = await signUp(app);
    const challengeToken = await loginChallenge(app, enrolled.email);
    const newAdminEmail = uniqueEmail('deadline-admin');
    const code = totpCode(enrolled.secret, enrolled.confirmedStep + 1);
    const base = `/v1/apps/${app.appId}`;
    const user = { token: enrolled.sessionToken };
    const admin = { token: app.adminToken };
    const steps: Record<string, Omit<Case, 'name'>> = {
      signup: http('POST', `${base}/signup`, '/signup', { body: { email: uniqueEmail(), password } }),
      login: http('POST', `${base}/login`, '/login', { body: { email: enrolled.email, password } }),
      'login/verify': http('POST', `${base}/login/verify`, '/login/verify', { body: { challengeToken, code } }),
      'enrollment start': http('POST', `${base}/2fa/enrollment`, '/2fa/enrollment', { token: unenrolled.token }),
      'enrollment confirm': http('POST', `${base}/2fa/enrollment/confirm`, '/2fa/enrollment/confirm', {
        token: unenrolled.token,
        body: { code: '123456' },
      }),
      'backup codes': http('POST', `${base}/2fa/backup-codes`, '/2fa/backup-codes', { ...user, body: { code } }),
      disable: http('POST', `${base}/2fa/disable`, '/2fa/disable', { ...user, body: { code } }),
      'step-up': http('POST', `${base}/2fa/step-up`, '/2fa/step-up', { ...user, body: { code } }),
      me: http('GET', `${base}/me`, '/me', user),
      logout: http('POST', `${base}/logout`, '/logout', user),
      'logout all': http('POST', `${base}/logout/all`, '/logout/all', user),
      'devices list': http('GET', `${base}/2fa/devices`, '/2fa/devices', user),
      'device forget': http('DELETE', `${base}/2fa/devices/dev_${'a'.repeat(22)}`, '/2fa/devices/{deviceId}', user),
      'settings get': http('GET', `${base}/settings/two-factor`, '/settings/two-factor', admin),
      'settings put': http('PUT', `${base}/settings/two-factor`, '/settings/two-factor', { ...admin, body: { mode: 'required' } }),
      publish: http('POST', `${base}/publish`, '/publish', admin),
      'users list': http('GET', `${base}/users`, '/users', admin),
      'user reset': http('POST', `${base}/users/${enrolled.userId}/2fa/reset`, '/users/{userId}/2fa/reset', { ...admin, body: {} }),
      'user unlock': http('POST', `${base}/users/${enrolled.userId}/unlock`, '/users/{userId}/unlock', admin),
      'audit events': http('GET', `${base}/audit-events`, '/audit-events', admin),
      'CORS preflight': http('OPTIONS', `${base}/2fa/enrollment`, '/{proxy+}', {
        headers: { origin: 'https://portal.example.com', 'access-control-request-method': 'POST' },
      }),
      'platform createApp': platform('createApp', { name: 'Deadline', plan: 'pro', adminEmail: newAdminEmail, adminPassword: password }),
      'platform setPlan': platform('setPlan', { appId: app.appId, plan: 'business' }),
      'platform setAllowedOrigins': platform('setAllowedOrigins', { appId: app.appId, allowedOrigins: [] }),
      'platform resetTwoFactor': platform('resetTwoFactor', { appId: app.appId, userId: enrolled.userId, reason: 'test', actor: 'test' }),
    };
    for (const [name, step] of Object.entries(steps)) cases.push({ name, ...step });
    const scopes = [app.appId, enrolled.userId, unenrolled.userId, newAdminEmail, enrolled.email, unenrolled.email].concat(
      [app.adminToken, enrolled.sessionToken, unenrolled.token, challengeToken].map(tokenHash),
    );
    outcomes = await underHang(
      [app.appId, newAdminEmail],
      scopes.map((scope) => ({ service: 'dynamodb', bodyIncludes: scope, ...hang })),
      cases,
    );
  }, 60_000);

  it.each([
    'signup',
    'login',
    'login/verify',
    'enrollment start',
    'enrollment confirm',
    'backup codes',
    'disable',
    'step-up',
    'me',
    'logout',
    'logout all',
    'devices list',
    'device forget',
    'settings get',
    'settings put',
    'publish',
    'users list',
    'user reset',
    'user unlock',
    'audit events',
    'CORS preflight',
    'platform createApp',
    'platform setPlan',
    'platform setAllowedOrigins',
    'platform resetTwoFactor',
  ])('%s answers 503 with Retry-After before its deadline', (name) => {
    expectAnsweredInTime(outcomes.get(name));
  });

  it('covers every step', () => {
    expect(cases.map((each) => each.invocation).sort()).toEqual([...new Set(cases.map((each) => each.invocation))].sort());
    expect(cases).toHaveLength(25);
  });
});

describe('a KMS that hangs on every attempt, for the steps that open or seal a secret', () => {
  let outcomes: Map<string, Outcome>;

  beforeAll(async () => {
    const app = await createTestApp({ mode: 'optional' });
    const enrolled = await signUpAndEnroll(app);
    const pending = await signUp(app);
    const started = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: pending.token });
    expect(started.status).toBe(201);
    const challengeToken = await loginChallenge(app, enrolled.email);
    // Their secrets now name data keys this stack process has not unwrapped: opening them asks KMS.
    await coldDataKey(app.appId, enrolled.userId, 'TOTP');
    await coldDataKey(app.appId, pending.userId, 'TOTP#PENDING');
    // A new app's data key has never been unwrapped, so its first enrollment asks KMS to seal.
    const fresh = await createTestApp({ mode: 'optional' });
    const freshUser = await signUp(fresh);
    const code = totpCode(enrolled.secret, enrolled.confirmedStep + 1);
    const base = `/v1/apps/${app.appId}`;
    const user = { token: enrolled.sessionToken };
    const cases: Case[] = [
      { name: 'login/verify', ...http('POST', `${base}/login/verify`, '/login/verify', { body: { challengeToken, code } }) },
      {
        name: 'enrollment start',
        ...http('POST', `/v1/apps/${fresh.appId}/2fa/enrollment`, '/2fa/enrollment', { token: freshUser.token }),
      },
      {
        name: 'enrollment confirm',
        ...http('POST', `${base}/2fa/enrollment/confirm`, '/2fa/enrollment/confirm', { token: pending.token, body: { code: '123456' } }),
      },
      { name: 'backup codes', ...http('POST', `${base}/2fa/backup-codes`, '/2fa/backup-codes', { ...user, body: { code } }) },
      { name: 'disable', ...http('POST', `${base}/2fa/disable`, '/2fa/disable', { ...user, body: { code } }) },
      { name: 'step-up', ...http('POST', `${base}/2fa/step-up`, '/2fa/step-up', { ...user, body: { code } }) },
    ];
    const underKms = async (scope: string, subset: Case[]) =>
      underHang([scope], [{ service: 'kms', operation: 'Decrypt', bodyIncludes: scope, ...hang }], subset);
    // One app's cases at a time: a case's invocation is found by its route under its app's deadline.
    const [freshOutcomes, appOutcomes] = await Promise.all([
      underKms(
        fresh.appId,
        cases.filter((each) => each.name === 'enrollment start'),
      ),
      underKms(
        app.appId,
        cases.filter((each) => each.name !== 'enrollment start'),
      ),
    ]);
    outcomes = new Map([...freshOutcomes, ...appOutcomes]);
  }, 60_000);

  it.each(['login/verify', 'enrollment start', 'enrollment confirm', 'backup codes', 'disable', 'step-up'])(
    '%s answers 503 with Retry-After before its deadline',
    (name) => {
      expectAnsweredInTime(outcomes.get(name));
    },
  );
});
