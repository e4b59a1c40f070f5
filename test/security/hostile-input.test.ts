import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { type HttpStep, httpSteps } from '../../functions/routes.js';
import {
  type ApiResponse,
  type EnrolledUser,
  type TestApp,
  call,
  createTestApp,
  invokePlatform,
  loginChallenge,
  password,
  signUpAndEnroll,
  uniqueEmail,
} from '../support/api.js';
import { appState } from '../support/app-state.js';

/**
 * Property-based attacks (fast-check) on every route of functions/routes.ts and on paths that are none:
 * arbitrary bodies, path parameters, query strings and headers, with and without real tokens. Whatever
 * arrives, the answer is never a 5xx, an error is API.md's body with one of its codes, no error shows an
 * internal (stack frame, exception name, file path, SDK name) or echoes a credential it was sent, and a
 * refused request changes nothing in the table.
 */

/** API.md's error codes and the status each comes with. */
const apiErrorStatus: Record<string, number> = {
  validation_error: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  invalid_code: 401,
  challenge_invalid: 401,
  forbidden: 403,
  plan_upgrade_required: 403,
  two_factor_not_available: 403,
  two_factor_required: 403,
  not_found: 404,
  email_taken: 409,
  already_enabled: 409,
  not_enrolled: 409,
  payload_too_large: 413,
  too_many_attempts: 429,
  internal_error: 500,
  service_unavailable: 503,
};

/** Signs of an internal escaping into a body: stack frames, error and exception names, paths, SDK names. */
const internalTells =
  /\bat [^\s()]+ \(|\bat <anonymous>|\b\w*Error: |Exception|node_modules|file:\/\/|\/[\w.-]+\/[\w.-]+\.(?:ts|js|mjs|cjs)\b|\.ts:\d+|@aws-sdk|DynamoDB|\bKMS\b|ConditionalCheck|TransactionCanceled|\[object Object\]/;

/** Runs per property: each is one HTTP call, and the file must stay well under a minute. */
const runs = { few: 15, some: 25, many: 40 } as const;
const runsOf = (route: RouteCase, usual: number) => (route.hashesPassword ? 6 : usual);

interface Answer {
  status: number;
  code?: string;
}

interface Sent {
  body?: string;
  headers?: Record<string, string>;
}

/** The properties every answer has, whatever was sent. */
function expectCleanAnswer(response: ApiResponse, sent: Sent = {}): void {
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  if (response.status < 400) return;
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(response.body)).toEqual(['error']);
  const { code, message } = response.body.error;
  expect(Object.keys(apiErrorStatus)).toContain(code);
  expect(apiErrorStatus[code]).toBe(response.status);
  expect(typeof message).toBe('string');
  expect(message.length).toBeGreaterThan(0);
  if (code === 'validation_error') {
    expect(Array.isArray(response.body.error.issues)).toBe(true);
    for (const issue of response.body.error.issues) expect([typeof issue.path, typeof issue.message]).toEqual(['string', 'string']);
  }
  expect(response.text).not.toMatch(internalTells);
  for (const credential of credentialsIn(sent)) expect(response.text).not.toContain(credential);
}

/** The credential-like strings a request carried that an error must not echo back. */
function credentialsIn(sent: Sent): string[] {
  const found: string[] = [];
  const authorization = Object.entries(sent.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  if (authorization) found.push(authorization.replace(/^\S+\s+/, ''));
  let parsed: unknown;
  try {
    parsed = sent.body === undefined ? undefined : JSON.parse(sent.body);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    for (const field of ['password', 'code', 'backupCode', 'challengeToken']) {
      const value = (parsed as Record<string, unknown>)[field];
      if (typeof value === 'string') found.push(JSON.stringify(value).slice(1, -1));
    }
  }
  // Short values (a 6-digit code, `x`) occur in any text by chance; the keys a body used are echoed on purpose.
  const keys = parsed && typeof parsed === 'object' ? Object.keys(parsed) : [];
  return found.filter((value) => value.length >= 8 && !keys.some((key) => key.includes(value)));
}

function expectAnswer(response: ApiResponse, expected: Answer): void {
  expect([response.status, response.body?.error?.code]).toEqual([expected.status, expected.code]);
}

/** A JSON object written by hand, so keys like `__proto__` are sent as own keys, as an attacker sends them. */
function rawObject(entries: [string, unknown][]): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
}

function parsesToObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

const isPlainObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

// Text arbitraries: ASCII, full Unicode, lone UTF-16 surrogates (valid in JSON, not in UTF-8), controls.
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const control = fc.integer({ min: 0, max: 0x1f }).map((unit) => String.fromCharCode(unit));
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.oneof(loneSurrogate, control, fc.constantFrom('\u0000', '\u202e', '\ufeff', '\u200b', '%', '\\', '"', '/', '.')) }),
);
const unicodeText = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.string({ unit: fc.oneof(loneSurrogate, control), minLength: 1, maxLength: 10 }),
);
/** The path a server sees for `path` (dot segments resolved), as the bridge and API Gateway match it. */
const pathnameOf = (path: string) => new URL(`http://localhost${path}`).pathname;
const loneSurrogates = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const hasLoneSurrogate = (text: string) => text.replace(loneSurrogates, '') !== text;
/** Percent-encodes text as a URL part; lone surrogates (which cannot be encoded) become `x`. */
const encoded = (text: string) => encodeURIComponent(text.replace(loneSurrogates, 'x'));
/** What a header value may carry on the wire: visible ASCII, space, and Latin-1. */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })).map((code) => String.fromCharCode(code)),
    maxLength,
  });
const hugeText = fc
  .tuple(fc.constantFrom('x', 'é', '€', '😀', '\u0000', '"'), fc.integer({ min: 600, max: 24_000 }))
  .map(([char, length]) => char.repeat(length));
/** A JSON value that is not a string: what a field of the wrong type gets. */
const nonString = fc.jsonValue().filter((value) => typeof value !== 'string');
/** Keys a body must not sneak in: prototype pollution, privilege fields, and arbitrary text (none may read as an internal when echoed). */
const hostileKey = fc
  .oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'isAdmin',
      'role',
      'appId',
      'userId',
      'twoFactorEnabled',
      '',
    ),
    anyText,
  )
  .filter((key) => !internalTells.test(key));
const pollution: [string, unknown][] = [
  ['__proto__', { role: 'admin', isAdmin: true, twoFactorEnabled: true }],
  ['constructor', { prototype: { role: 'admin' } }],
  ['__proto__', { code: '123456' }],
];

/** Strings each field's schema refuses. */
const badFieldText: Record<string, fc.Arbitrary<string>> = {
  email: fc.oneof(
    anyText.filter((text) => !text.includes('@')),
    fc.constantFrom(`${'a'.repeat(250)}@example.test`, '@example.test', 'a@', 'a@@b.test', 'a b@example.test', 'ada@exa mple.test'),
  ),
  password: fc.oneof(
    anyText.filter((text) => text.length < 8),
    fc.string({ minLength: 257, maxLength: 400 }),
  ),
  code: anyText.filter((text) => !/^\d{6}$/.test(text)),
  challengeToken: fc.oneof(fc.constant(''), fc.string({ minLength: 513, maxLength: 700 })),
  backupCode: fc.oneof(
    anyText.filter((text) => text.length < 10),
    fc.string({ minLength: 33, maxLength: 100 }),
  ),
  mode: anyText.filter((text) => !['off', 'optional', 'required'].includes(text)),
  reason: fc.oneof(fc.constantFrom('', ' ', '\t\n'), fc.string({ minLength: 501, maxLength: 600 })),
  deviceToken: fc.oneof(fc.constant(''), fc.string({ minLength: 513, maxLength: 700 })),
};

type Auth = 'none' | 'session' | 'admin';

interface Principals {
  app: TestApp;
  /** A member with a password session and no second factor. */
  member: { email: string; token: string };
  enrolled: EnrolledUser;
  /** A login challenge of the enrolled user. */
  loginChallenge: string;
}

/** A request the route takes in and refuses (or only reads), without changing anything, and its answer. */
interface Harmless {
  /** Another app than the test's (a login on the test's app counts a password failure: a change). */
  appId?: string;
  token?: string;
  body?: Record<string, unknown>;
  userId?: string;
  answer: Answer;
}

interface RouteCase {
  auth: Auth;
  /**
   * The text fields its body schema knows (the attacks put non-text and bad text in each); absent for routes
   * that take no body. Boolean and number fields (`rememberDevice`, `rememberDeviceDays`) are left out: a
   * non-string value can be a valid one there.
   */
  fields?: string[];
  /** Routes with a page query; the others ignore queries. */
  paged?: boolean;
  /** Its harmless request costs a password hash (Argon2id, ~0.3 s): fewer runs of the properties that send it. */
  hashesPassword?: boolean;
  harmless: (principals: Principals) => Harmless;
}

const bogusChallenge = 'x'.repeat(43);
const noSuchApp = 'app_NoSuchAppAAAAAAAAAAAAA';

/** Every step of functions/routes.ts, described for the attacks below. */
const routeCases: Record<string, RouteCase> = {
  health: { auth: 'none', harmless: () => ({ answer: { status: 200 } }) },
  openapi: { auth: 'none', harmless: () => ({ answer: { status: 200 } }) },
  signup: {
    auth: 'none',
    hashesPassword: true,
    fields: ['email', 'password'],
    harmless: ({ member }) => ({
      body: { email: member.email, password: `${password} again` },
      answer: { status: 409, code: 'email_taken' },
    }),
  },
  login: {
    auth: 'none',
    fields: ['email', 'password', 'deviceToken'],
    harmless: () => ({ appId: noSuchApp, body: { email: uniqueEmail('nobody'), password }, answer: { status: 404, code: 'not_found' } }),
  },
  'login-verify': {
    auth: 'none',
    fields: ['challengeToken', 'code', 'backupCode'],
    harmless: () => ({ body: { challengeToken: bogusChallenge, code: '123456' }, answer: { status: 401, code: 'challenge_invalid' } }),
  },
  'enrollment-start': {
    auth: 'session',
    fields: [],
    harmless: (p) => ({ token: p.loginChallenge, body: {}, answer: { status: 401, code: 'unauthorized' } }),
  },
  'enrollment-confirm': {
    auth: 'session',
    fields: ['code'],
    harmless: (p) => ({ token: p.loginChallenge, body: { code: '123456' }, answer: { status: 401, code: 'unauthorized' } }),
  },
  'backup-codes': {
    auth: 'session',
    fields: ['code'],
    harmless: (p) => ({ token: p.member.token, body: { code: '123456' }, answer: { status: 409, code: 'not_enrolled' } }),
  },
  disable: {
    auth: 'session',
    fields: ['code'],
    harmless: (p) => ({ token: p.member.token, body: { code: '123456' }, answer: { status: 409, code: 'not_enrolled' } }),
  },
  me: { auth: 'session', harmless: (p) => ({ token: p.member.token, answer: { status: 200 } }) },
  logout: {
    auth: 'session',
    fields: [],
    harmless: (p) => ({ token: p.loginChallenge, body: {}, answer: { status: 401, code: 'unauthorized' } }),
  },
  'logout-all': {
    auth: 'session',
    fields: [],
    harmless: (p) => ({ token: p.loginChallenge, body: {}, answer: { status: 401, code: 'unauthorized' } }),
  },
  'step-up': {
    auth: 'session',
    fields: ['code', 'backupCode'],
    harmless: (p) => ({ token: p.member.token, body: { code: '123456' }, answer: { status: 409, code: 'not_enrolled' } }),
  },
  'devices-list': { auth: 'session', harmless: (p) => ({ token: p.member.token, answer: { status: 200 } }) },
  'device-forget': { auth: 'session', harmless: (p) => ({ token: p.member.token, answer: { status: 404, code: 'not_found' } }) },
  'settings-get': { auth: 'admin', harmless: (p) => ({ token: p.app.adminToken, answer: { status: 200 } }) },
  'settings-put': {
    auth: 'admin',
    fields: ['mode'],
    harmless: (p) => ({ token: p.member.token, body: { mode: 'required' }, answer: { status: 403, code: 'forbidden' } }),
  },
  publish: {
    auth: 'admin',
    fields: [],
    harmless: (p) => ({ token: p.member.token, body: {}, answer: { status: 403, code: 'forbidden' } }),
  },
  'users-list': { auth: 'admin', paged: true, harmless: (p) => ({ token: p.app.adminToken, answer: { status: 200 } }) },
  'users-csv': { auth: 'admin', paged: true, harmless: (p) => ({ token: p.app.adminToken, answer: { status: 200 } }) },
  'two-factor-report': { auth: 'admin', harmless: (p) => ({ token: p.app.adminToken, answer: { status: 200 } }) },
  'user-reset': {
    auth: 'admin',
    fields: ['reason'],
    harmless: (p) => ({
      token: p.member.token,
      userId: p.enrolled.userId,
      body: { reason: 'hostile' },
      answer: { status: 403, code: 'forbidden' },
    }),
  },
  'user-unlock': {
    auth: 'admin',
    fields: [],
    harmless: (p) => ({ token: p.member.token, userId: p.enrolled.userId, body: {}, answer: { status: 403, code: 'forbidden' } }),
  },
  'audit-events': { auth: 'admin', paged: true, harmless: (p) => ({ token: p.app.adminToken, answer: { status: 200 } }) },
  // The test's app allows no origin, so every preflight is refused.
  'cors-preflight': { auth: 'none', harmless: () => ({ answer: { status: 403, code: 'forbidden' } }) },
};

function pathOf(step: HttpStep, appIdSegment: string, userIdSegment = 'usr_AAAAAAAAAAAAAAAAAAAAAA', proxy = '2fa/enrollment'): string {
  return step.path
    .replace('{appId}', appIdSegment)
    .replace('{userId}', userIdSegment)
    .replace('{deviceId}', 'dev_AAAAAAAAAAAAAAAAAAAAAA')
    .replace('{proxy+}', proxy);
}

const label = (step: HttpStep) => `${step.method} ${step.path}`;
const withBody = httpSteps.filter((step) => routeCases[step.step]?.fields !== undefined);
const withAppId = httpSteps.filter((step) => step.path.includes('{appId}'));

/** A body the route's schema refuses, by construction: every variant breaks the schema somewhere. */
function malformedBody(fields: string[], validBody: Record<string, unknown>): fc.Arbitrary<string> {
  const base = Object.entries(validBody);
  const variants: fc.Arbitrary<string>[] = [
    fc
      .jsonValue()
      .filter((value) => !isPlainObject(value))
      .map((value) => JSON.stringify(value)),
    fc
      .oneof(
        anyText,
        fc.constantFrom(
          '{',
          '{"code":',
          '{"a":1}}',
          'nul',
          '\ufeff{}',
          "{'code':'123456'}",
          '{"code":"123456",}',
          '[',
          'NaN',
          'undefined',
          '{"__proto__":',
        ),
      )
      .filter((text) => text !== '' && !parsesToObject(text)),
    fc
      .array(
        fc.tuple(
          hostileKey.filter((key) => !fields.includes(key)),
          fc.jsonValue(),
        ),
        { minLength: 1, maxLength: 3 },
      )
      .map((extra) => rawObject([...base, ...extra])),
    fc.constantFrom(...pollution).map((entry) => rawObject([...base, entry])),
    fc.integer({ min: 2, max: 2_500 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
    fc
      .tuple(fc.constantFrom(...fields, 'padding'), hugeText)
      .map(([field, text]) => rawObject([...base.filter(([key]) => key !== field), [field, text]])),
  ];
  if (fields.length > 0) {
    variants.push(
      fc
        .tuple(fc.constantFrom(...fields), nonString)
        .map(([field, value]) => rawObject([...base.filter(([key]) => key !== field), [field, value]])),
    );
    variants.push(
      fc.oneof(
        ...fields.map((field) => badFieldText[field]!.map((text) => rawObject([...base.filter(([key]) => key !== field), [field, text]]))),
      ),
    );
  }
  return fc.oneof(...variants);
}

/** Authorization values that are not a live token: garbage, other schemes, and near misses of real tokens. */
function nonTokenAuthorization(tokens: string[]): fc.Arbitrary<string | undefined> {
  const realToken = fc.constantFrom(...tokens);
  return fc.oneof(
    fc.constant(undefined),
    headerText(200),
    headerText(200).map((text) => `Bearer ${text}`),
    fc.integer({ min: 200, max: 4_000 }).map((length) => `Bearer ${'A'.repeat(length)}`),
    realToken.map((token) => `Bearer ${token.slice(0, -1)}`),
    realToken.map((token) => `Bearer ${token}A`),
    realToken.map((token) => `Bearer ${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`),
    realToken.map((token) => `Bearer ${token} ${token}`),
    realToken.map((token) => `Bearer ${token},${token}`),
    realToken.map((token) => `Basic ${Buffer.from(`${token}:`).toString('base64')}`),
    realToken.map((token) => token),
    realToken.map((token) => `Bearer\t${token}`),
    realToken.map((token) => `Token ${token}`),
    realToken.map((token) => `Bearer ${encodeURIComponent(token)}%00`),
  );
}

/**
 * Headers an attacker adds; none of them may change what a request means. Together with the Authorization
 * above they stay under 16 KiB, the most a Node.js server (the local bridge) reads; beyond that see below.
 */
const extraHeaders = fc.dictionary(
  fc.oneof(
    fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
    fc.constantFrom('accept', 'origin', 'x-forwarded-for', 'x-amzn-trace-id', 'accept-language', 'user-agent', 'referer'),
  ),
  fc.oneof(
    headerText(100),
    fc.integer({ min: 500, max: 2_500 }).map((length) => 'h'.repeat(length)),
    fc.constantFrom('text/plain', '*/*', 'null', 'http://evil.test', '127.0.0.1, 10.0.0.1'),
  ),
  { maxKeys: 4 },
);

const contentType = fc.oneof(
  fc.constantFrom(
    '',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-8',
    'application/json;charset=latin1',
    'APPLICATION/JSON',
    'application/jsonp',
    'application/json-patch+json',
    'application/vnd.api+json',
    'application/json, text/plain',
    'application/xml',
    'json',
  ),
  headerText(80),
);

/** Text for a query parameter value: numbers of every shape, cursors that are not ours, garbage. */
const queryValue = fc.oneof(
  anyText,
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('0', '-1', '101', '1e2', '0x10', 'Infinity', 'NaN', ' 5', '5.5', '', '%', '%%%', '[]', '{}', 'A'.repeat(3_000)),
  fc.string().map((text) => Buffer.from(text).toString('base64url')),
  fc
    .constantFrom('2025-01-01T00:00:00.000Z#usr_AAAAAAAAAAAAAAAAAAAAA', 'APP#demo#x', '')
    .map((text) => Buffer.from(text).toString('base64url')),
);
const queryString = fc
  .array(
    fc.tuple(fc.oneof(fc.constantFrom('limit', 'cursor', 'LIMIT', 'limit[]', '__proto__', 'constructor', 'toString'), anyText), queryValue),
    { minLength: 1, maxLength: 4 },
  )
  .map((pairs) => pairs.map(([key, value]) => `${encoded(key)}=${encoded(value)}`).join('&'));

/** Path segments for `{appId}` and `{userId}`: encoded slashes and dots, percent garbage, long, Unicode. */
function hostileSegment(avoid: string[]): fc.Arbitrary<string> {
  return fc
    .oneof(
      anyText.map(encoded),
      fc.constantFrom(
        '%2F',
        'a%2Fb',
        '..%2F..%2Fdemo',
        '%2e%2e',
        '.',
        '..',
        '%',
        '%zz',
        '%E0%A4%A',
        '%C0%AF',
        '%00',
        'demo%00',
        'demo%20',
        '%20demo',
        'DEMO',
        'a;b',
        'a%3Bb',
        '%252F',
      ),
      fc.integer({ min: 65, max: 5_000 }).map((length) => 'a'.repeat(length)),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      fc.stringMatching(/^usr_[A-Za-z0-9_-]{22}$/),
    )
    .filter((segment) => segment !== '' && !avoid.includes(segment));
}

describe('hostile input', () => {
  let principals: Principals;
  let stateBefore: string[];

  beforeAll(async () => {
    const app = await createTestApp({ plan: 'enterprise', mode: 'optional' });
    const memberEmail = uniqueEmail('member');
    const member = {
      email: memberEmail,
      token: (await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: memberEmail, password } })).body.session.token,
    };
    const enrolled = await signUpAndEnroll(app);
    principals = { app, member, enrolled, loginChallenge: await loginChallenge(app, enrolled.email) };
    stateBefore = await appState(app.appId);
  });

  // A refusal changes nothing: after every test, the app's items are exactly what they were.
  afterEach(async () => {
    expect(await appState(principals.app.appId)).toEqual(stateBefore);
  });

  const tokens = () => [principals.app.adminToken, principals.member.token, principals.enrolled.sessionToken, principals.loginChallenge];

  it('knows every route of functions/routes.ts', () => {
    expect(httpSteps.map((step) => step.step).filter((step) => !routeCases[step])).toEqual([]);
  });

  it.each(httpSteps.map((step) => [label(step), step]))(
    '%s answers its harmless request as expected (the baseline of the attacks below)',
    async (_label, step) => {
      const harmless = routeCases[step.step]!.harmless(principals);
      const response = await call(step.method, pathOf(step, harmless.appId ?? principals.app.appId, harmless.userId), {
        token: harmless.token,
        body: harmless.body,
      });
      expectCleanAnswer(response);
      expectAnswer(response, harmless.answer);
    },
  );

  describe('bodies', () => {
    it.each(withBody.map((step) => [label(step), step]))(
      '%s refuses every malformed body with 400 validation_error (413 over 16 KiB), with or without a token',
      async (_label, step) => {
        const route = routeCases[step.step]!;
        const harmless = route.harmless(principals);
        await fc.assert(
          fc.asyncProperty(
            malformedBody(route.fields!, harmless.body ?? {}),
            fc.constantFrom(undefined, ...tokens()),
            async (rawBody, token) => {
              const response = await call(step.method, pathOf(step, principals.app.appId, harmless.userId), { token, rawBody });
              expectCleanAnswer(response, { body: rawBody });
              expectAnswer(
                response,
                Buffer.byteLength(rawBody) > 16 * 1024
                  ? { status: 413, code: 'payload_too_large' }
                  : { status: 400, code: 'validation_error' },
              );
            },
          ),
          { numRuns: runs.many },
        );
      },
    );

    it.each(withBody.map((step) => [label(step), step]))(
      '%s reads a body only as JSON: any other Content-Type is refused with 400',
      async (_label, step) => {
        const route = routeCases[step.step]!;
        const harmless = route.harmless(principals);
        await fc.assert(
          fc.asyncProperty(contentType, async (type) => {
            const response = await call(step.method, pathOf(step, harmless.appId ?? principals.app.appId, harmless.userId), {
              token: harmless.token,
              body: harmless.body,
              headers: { 'content-type': type },
            });
            expectCleanAnswer(response, { body: JSON.stringify(harmless.body) });
            if (response.status === 400) expectAnswer(response, { status: 400, code: 'validation_error' });
            else expectAnswer(response, harmless.answer);
            if (!/^\s*application\/(?:[\w.-]+\+)?json\s*(?:;.*)?$/i.test(type)) expect(response.status).toBe(400);
          }),
          { numRuns: runsOf(route, runs.some) },
        );
      },
    );

    it('takes Unicode credentials of any shape in without a 5xx, and signs up and in with them consistently', async () => {
      const scratch = await createTestApp({ plan: 'free' });
      await fc.assert(
        fc.asyncProperty(unicodeText, async (suffix) => {
          const email = uniqueEmail('unicode');
          const chosen = `${randomBytes(4).toString('hex')}${suffix}`.slice(0, 256);
          const signup = await call('POST', `/v1/apps/${scratch.appId}/signup`, { body: { email, password: chosen } });
          expectCleanAnswer(signup);
          // Unpaired surrogates would all hash as U+FFFD, so different passwords would match: refused.
          if (hasLoneSurrogate(chosen)) {
            expectAnswer(signup, { status: 400, code: 'validation_error' });
            return;
          }
          expect(signup.status).toBe(201);
          const login = await call('POST', `/v1/apps/${scratch.appId}/login`, { body: { email, password: chosen } });
          const wrong = await call('POST', `/v1/apps/${scratch.appId}/login`, { body: { email, password: `${chosen}!` } });
          expectCleanAnswer(login);
          expectCleanAnswer(wrong, { body: JSON.stringify({ password: `${chosen}!` }) });
          expect(login.body.status).toBe('SIGNED_IN');
          expectAnswer(wrong, { status: 401, code: 'invalid_credentials' });
        }),
        { numRuns: 6 },
      );
    });

    it('answers a login with an email of any shape with 400 or invalid_credentials, never more', async () => {
      const scratch = await createTestApp({ plan: 'free' });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.emailAddress(),
            anyText.map((text) => `${text}@example.test`),
            fc.emailAddress().map((email) => email.toUpperCase()),
          ),
          async (email) => {
            const response = await call('POST', `/v1/apps/${scratch.appId}/login`, { body: { email, password } });
            expectCleanAnswer(response);
            expect([400, 401]).toContain(response.status);
            if (response.status === 401) expect(response.body.error.code).toBe('invalid_credentials');
          },
        ),
        { numRuns: runs.few },
      );
    });
  });

  describe('path parameters', () => {
    it.each(withAppId.map((step) => [label(step), step]))(
      '%s refuses any {appId} that is not this app with a clean 4xx',
      async (_label, step) => {
        const harmless = routeCases[step.step]!.harmless(principals);
        await fc.assert(
          fc.asyncProperty(hostileSegment([principals.app.appId, 'demo']), async (appIdSegment) => {
            const response = await call(step.method, pathOf(step, appIdSegment, harmless.userId), {
              token: harmless.token,
              body: harmless.body,
            });
            expectCleanAnswer(response, { body: JSON.stringify(harmless.body) });
            // forbidden: the preflight's answer for an app that allows no origin (an unknown app allows none).
            expect([
              'validation_error',
              'not_found',
              'unauthorized',
              'challenge_invalid',
              ...(step.step === 'cors-preflight' ? ['forbidden'] : []),
            ]).toContain(response.body.error?.code);
          }),
          { numRuns: runs.some },
        );
      },
    );

    it('POST /v1/apps/{appId}/users/{userId}/2fa/reset refuses any {userId} of no user of the app, behind an admin token', async () => {
      const step = httpSteps.find((candidate) => candidate.step === 'user-reset')!;
      await fc.assert(
        fc.asyncProperty(hostileSegment([principals.enrolled.userId]), async (userIdSegment) => {
          const response = await call(step.method, pathOf(step, principals.app.appId, userIdSegment), {
            token: principals.app.adminToken,
            body: { reason: 'hostile' },
          });
          expectCleanAnswer(response);
          expect(['validation_error', 'not_found']).toContain(response.body.error?.code);
        }),
        { numRuns: runs.some },
      );
    });
  });

  describe('query strings', () => {
    it.each(httpSteps.map((step) => [label(step), step]))(
      '%s answers any query string cleanly: pages validate it, other routes ignore it',
      async (_label, step) => {
        const route = routeCases[step.step]!;
        const harmless = route.harmless(principals);
        await fc.assert(
          fc.asyncProperty(queryString, async (query) => {
            const response = await call(step.method, `${pathOf(step, harmless.appId ?? principals.app.appId, harmless.userId)}?${query}`, {
              token: harmless.token,
              body: harmless.body,
            });
            expectCleanAnswer(response);
            if (route.paged && response.status !== 200) expectAnswer(response, { status: 400, code: 'validation_error' });
            if (!route.paged) expectAnswer(response, harmless.answer);
          }),
          { numRuns: route.paged ? runs.many : runsOf(route, 8) },
        );
      },
    );
  });

  describe('headers', () => {
    it.each(httpSteps.map((step) => [label(step), step]))(
      '%s takes no Authorization but a live bearer token, and no added header changes its answer',
      async (_label, step) => {
        const route = routeCases[step.step]!;
        const harmless = route.harmless(principals);
        await fc.assert(
          fc.asyncProperty(nonTokenAuthorization(tokens()), extraHeaders, async (authorization, extra) => {
            const headers = { ...extra, ...(authorization === undefined ? {} : { authorization }) };
            const response = await call(step.method, pathOf(step, harmless.appId ?? principals.app.appId, harmless.userId), {
              body: harmless.body,
              headers,
            });
            expectCleanAnswer(response, { headers, body: JSON.stringify(harmless.body) });
            expectAnswer(response, route.auth === 'none' ? harmless.answer : { status: 401, code: 'unauthorized' });
          }),
          { numRuns: runsOf(route, runs.some) },
        );
      },
    );
  });

  it('answers request headers over the 16 KiB a server reads with a 4xx before any handler, and keeps serving', async () => {
    const step = httpSteps.find((candidate) => candidate.step === 'me')!;

    const oversized = await fetch(`${process.env.TWOFA_API_URL}${pathOf(step, principals.app.appId)}`, {
      headers: { authorization: `Bearer ${principals.member.token}`, 'x-padding': 'h'.repeat(20_000) },
    });

    expect(oversized.status).toBe(431);
    expectAnswer(await call(step.method, pathOf(step, principals.app.appId), { token: principals.member.token }), { status: 200 });
  });

  it('refuses the preflight of any path under the app from any Origin while the app allows none', async () => {
    const step = httpSteps.find((candidate) => candidate.step === 'cors-preflight')!;
    const origin = fc.oneof(
      fc.webUrl(),
      fc.constantFrom('null', 'https://portal.example.com', 'http://localhost:3000', 'https://*.example.com'),
      headerText(100),
    );
    const proxy = fc
      .array(fc.oneof(fc.webSegment(), anyText.map(encoded)), { minLength: 1, maxLength: 4 })
      .map((segments) => segments.join('/'));
    await fc.assert(
      fc.asyncProperty(origin, proxy, async (from, rest) => {
        const path = pathOf(step, principals.app.appId, undefined, rest);
        // Dot segments resolve away in the URL; only a path still under the app is a preflight of it.
        fc.pre(pathnameOf(path).startsWith(`/v1/apps/${principals.app.appId}/`) && !pathnameOf(path).endsWith(`/${principals.app.appId}/`));
        const response = await call('OPTIONS', path, { headers: { origin: from, 'access-control-request-method': 'POST' } });
        expectCleanAnswer(response);
        expectAnswer(response, { status: 403, code: 'forbidden' });
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
      }),
      { numRuns: runs.some },
    );
  });

  it('reads a request target that is no path (`//`, `//host/…`, `%zz`) as a path: no 5xx, no other host’s route, and both local endpoints keep serving', async () => {
    const me = httpSteps.find((step) => step.step === 'me')!;
    const disguised = `//evil.test${pathOf(me, principals.app.appId)}`;

    const post = await call('POST', '//', { body: {} });
    const get = await call('GET', disguised, { token: principals.member.token });
    const invoke = await fetch(`${process.env.TWOFA_LAMBDA_URL}//`, { method: 'POST', body: '{}' });
    const undecodable = await fetch(`${process.env.TWOFA_LAMBDA_URL}/2015-03-31/functions/%zz/invocations`, { method: 'POST', body: '{}' });

    expectAnswer(post, { status: 404, code: 'not_found' });
    expect(get.text).not.toContain(principals.member.email);
    expect([invoke.status, undecodable.status]).toEqual([404, 404]);
    expectAnswer(
      await call(
        'GET',
        pathOf(
          httpSteps.find((step) => step.step === 'health')!,
          '',
        ),
      ),
      { status: 200 },
    );
    expect((await invokePlatform('setPlan', { appId: 'no-such-app', plan: 'pro' })).error?.errorType).toBe('not_found');
  });

  describe('paths that are no route', () => {
    const routePatterns = httpSteps.map((step) => ({
      method: step.method,
      pattern: new RegExp(`^${step.path.replace(/\{\w+\+\}/g, '.+').replace(/\{\w+\}/g, '[^/]+')}$`),
    }));
    const isRoute = (method: string, path: string) =>
      routePatterns.some((route) => route.method === method && route.pattern.test(pathnameOf(path)));

    // GETs outside /v1 reach the reference portal that `npm start` serves beside the API (not part of it).
    const reachesTheApi = (method: string, path: string) => !['GET', 'HEAD'].includes(method) || /^\/v1(?:\/|$)/.test(pathnameOf(path));

    it('answers any other path and method of the API with 404 not_found', async () => {
      const segment = fc.oneof(
        fc.webSegment(),
        anyText.map(encoded),
        fc.constantFrom('v1', 'apps', '2fa', 'users', 'me', '..', '%2e%2e', '%2F', '%00', '%', '%zz', '.', ''),
      );
      const path = fc.oneof(
        fc
          .tuple(
            fc.constantFrom('', '/v1', '/v2', `/v1/apps/${principals.app.appId}`, '/v1/apps'),
            fc.array(segment, { minLength: 1, maxLength: 5 }),
          )
          .map(([prefix, segments]) => `${prefix}/${segments.join('/')}`),
        fc.constantFrom(...httpSteps.map((step) => pathOf(step, principals.app.appId))),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'),
          path,
          fc.constantFrom(undefined, ...tokens()),
          async (method, target, token) => {
            fc.pre(!isRoute(method, target) && reachesTheApi(method, target));
            const response = await call(method, target, { token, body: method === 'GET' || method === 'HEAD' ? undefined : {} });
            expect(response.status).toBe(404);
            if (method !== 'HEAD') {
              expectCleanAnswer(response);
              expectAnswer(response, { status: 404, code: 'not_found' });
            }
          },
        ),
        { numRuns: runs.many },
      );
    });
  });
});
