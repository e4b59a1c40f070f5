import { type HttpStep, httpSteps } from '../../functions/routes.js';
import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import {
  type ApiResponse,
  type EnrolledUser,
  type TestApp,
  call,
  createTestApp,
  loginChallenge,
  password,
  signUp,
  signUpAndEnroll,
} from '../support/api.js';
import { appState } from '../support/app-state.js';

/**
 * Every bearer token is one kind (session or challenge, of one purpose), of one user, of one app, and alive
 * until spent, logged out or reset. Each test below hands tokens to every route of functions/routes.ts
 * where they do not belong, then shows the same token still working where it does, so a refusal cannot
 * come from a token that was dead anyway. Extends the single cases in test/integration (admin, required
 * mode) and test/security/bad-input.test.ts to every route and every kind of token.
 */

/** Who each route lets in (API.md). */
type Access = 'public' | 'enrollment' | 'session' | 'admin';
const accessOf: Record<string, Access> = {
  health: 'public',
  openapi: 'public',
  signup: 'public',
  login: 'public',
  'login-verify': 'public',
  'enrollment-start': 'enrollment',
  'enrollment-confirm': 'enrollment',
  'backup-codes': 'session',
  disable: 'session',
  me: 'session',
  logout: 'session',
  'logout-all': 'session',
  'step-up': 'session',
  'devices-list': 'session',
  'device-forget': 'session',
  'user-unlock': 'admin',
  'settings-get': 'admin',
  'settings-put': 'admin',
  publish: 'admin',
  'users-list': 'admin',
  'users-csv': 'admin',
  'two-factor-report': 'admin',
  'user-reset': 'admin',
  'audit-events': 'admin',
  'cors-preflight': 'public',
};
const stepsWith = (...kinds: Access[]) => httpSteps.filter((step) => kinds.includes(accessOf[step.step]!));
/** Every route that asks for a token in the Authorization header. */
const authenticated = stepsWith('enrollment', 'session', 'admin');

/** A request the route's schema accepts, so only the token decides; `userId` fills `{userId}`. */
function send(step: HttpStep, appId: string, token: string | undefined, userId = 'usr_AAAAAAAAAAAAAAAAAAAAAA'): Promise<ApiResponse> {
  const bodies: Record<string, unknown> = {
    'enrollment-confirm': { code: '123456' },
    'backup-codes': { code: '123456' },
    disable: { code: '123456' },
    'step-up': { code: '123456' },
    'settings-put': { mode: 'required' },
    'user-reset': { reason: 'token confusion' },
  };
  const path = step.path.replace('{appId}', appId).replace('{userId}', userId).replace('{deviceId}', 'dev_AAAAAAAAAAAAAAAAAAAAAA');
  return call(step.method, path, { token, body: bodies[step.step] });
}

/** `METHOD path → status code` for each route, so a failure lists every route that let the token through. */
async function answersOf(steps: readonly HttpStep[], appId: string, token: string, userId?: string): Promise<string[]> {
  const answers: string[] = [];
  for (const step of steps) {
    const response = await send(step, appId, token, userId);
    answers.push(`${step.method} ${step.path} → ${response.status} ${response.body?.error?.code ?? ''}`.trim());
  }
  return answers;
}
const all = (steps: readonly HttpStep[], status: number, code: string) =>
  steps.map((step) => `${step.method} ${step.path} → ${status} ${code}`);

function verify(appId: string, challengeToken: string, secondFactor: { code: string } | { backupCode: string }): Promise<ApiResponse> {
  return call('POST', `/v1/apps/${appId}/login/verify`, { body: { challengeToken, ...secondFactor } });
}

/** A full login with the second factor: a two_factor session. */
async function twoFactorSession(app: TestApp, user: EnrolledUser): Promise<string> {
  const challengeToken = await loginChallenge(app, user.email);
  await awayFromStepBoundary();
  const signedIn = await verify(app.appId, challengeToken, { code: totpCode(user.secret, currentStep()) });
  expect(signedIn.body.session.assurance).toBe('two_factor');
  return signedIn.body.session.token;
}

describe('token confusion', () => {
  /** App A (optional 2FA) and app B (optional 2FA, an enrolled user): the usual pair. */
  let appA: TestApp;
  let appB: TestApp;
  /** An app whose published mode is `required`, the only source of enrollment challenges. */
  let required: TestApp;

  beforeAll(async () => {
    [appA, appB, required] = await Promise.all([
      createTestApp({ plan: 'enterprise', mode: 'optional' }),
      createTestApp({ plan: 'enterprise', mode: 'optional' }),
      createTestApp({ plan: 'enterprise', mode: 'required' }),
    ]);
  });

  it('knows who every route of functions/routes.ts lets in', () => {
    expect(httpSteps.map((step) => step.step).filter((step) => !accessOf[step])).toEqual([]);
  });

  describe('a challenge is not a session', () => {
    it('a login challenge opens no route that takes a token (401), and is still a live challenge afterwards', async () => {
      const user = await signUpAndEnroll(appA);
      const challengeToken = await loginChallenge(appA, user.email);
      const before = await appState(appA.appId);

      expect(await answersOf(authenticated, appA.appId, challengeToken, user.userId)).toEqual(all(authenticated, 401, 'unauthorized'));

      expect(await appState(appA.appId)).toEqual(before);
      await awayFromStepBoundary();
      expect((await verify(appA.appId, challengeToken, { code: totpCode(user.secret, currentStep()) })).body.status).toBe('SIGNED_IN');
    });

    it('an enrollment challenge serves the two enrollment calls and nothing else', async () => {
      const { token: challengeToken } = await signUp(required);
      const others = stepsWith('session', 'admin');
      const before = await appState(required.appId);

      expect(await answersOf(others, required.appId, challengeToken)).toEqual(all(others, 401, 'unauthorized'));
      const asLoginChallenge = await verify(required.appId, challengeToken, { code: '123456' });
      const withBackupCode = await verify(required.appId, challengeToken, { backupCode: 'abcde-fghjk' });

      expect([asLoginChallenge.status, asLoginChallenge.body.error.code, withBackupCode.status, withBackupCode.body.error.code]).toEqual([
        401,
        'challenge_invalid',
        401,
        'challenge_invalid',
      ]);
      expect(await appState(required.appId)).toEqual(before);
      const enrollment = await call('POST', `/v1/apps/${required.appId}/2fa/enrollment`, { token: challengeToken });
      expect(enrollment.status).toBe(201);
      await awayFromStepBoundary();
      const secret = new URL(enrollment.body.otpauthUri).searchParams.get('secret')!;
      const confirm = await call('POST', `/v1/apps/${required.appId}/2fa/enrollment/confirm`, {
        token: challengeToken,
        body: { code: totpCode(secret, currentStep()) },
      });
      expect(confirm.body).toMatchObject({ status: 'ENABLED', session: { assurance: 'two_factor' } });
      // Spent by the confirmation: nothing takes it any more, not even the enrollment calls.
      expect(await answersOf(authenticated, required.appId, challengeToken)).toEqual(all(authenticated, 401, 'unauthorized'));
    });
  });

  describe('a session is not a challenge', () => {
    it('login/verify refuses every kind of session as the challenge, even with the right code or backup code, and spends neither', async () => {
      const user = await signUpAndEnroll(appA);
      const member = await signUp(appA);
      const sessions = {
        admin: appA.adminToken,
        member: member.token,
        'password session of an enrolled user': user.sessionToken,
        'two_factor session': await twoFactorSession(appA, user),
      };
      await awayFromStepBoundary();
      const code = totpCode(user.secret, currentStep() + 1);
      const backupCode = user.backupCodes[0]!;

      const answers: string[] = [];
      for (const [kind, token] of Object.entries(sessions)) {
        for (const secondFactor of [{ code }, { backupCode }]) {
          const response = await verify(appA.appId, token, secondFactor);
          answers.push(`${kind}, ${Object.keys(secondFactor)[0]} → ${response.status} ${response.body.error?.code}`);
        }
      }

      expect(answers).toEqual(
        Object.keys(sessions).flatMap((kind) => [`${kind}, code → 401 challenge_invalid`, `${kind}, backupCode → 401 challenge_invalid`]),
      );
      expect((await verify(appA.appId, await loginChallenge(appA, user.email), { code })).body.status).toBe('SIGNED_IN');
      expect((await verify(appA.appId, await loginChallenge(appA, user.email), { backupCode })).body).toMatchObject({
        status: 'SIGNED_IN',
        backupCodesRemaining: 9,
      });
    });
  });

  describe('a token is bound to its app', () => {
    it('no token of another app opens any route of app B, whatever its kind, and app B is unchanged', async () => {
      const userA = await signUpAndEnroll(appA);
      const userB = await signUpAndEnroll(appB);
      const foreign = {
        'admin session of A': appA.adminToken,
        'member session of A': (await signUp(appA)).token,
        'two_factor session of A': await twoFactorSession(appA, userA),
        'login challenge of A': await loginChallenge(appA, userA.email),
        'enrollment challenge of another app': (await signUp(required)).token,
      };
      const before = await appState(appB.appId);

      for (const [kind, token] of Object.entries(foreign)) {
        const answers = await answersOf(authenticated, appB.appId, token, userB.userId);
        const asChallenge = await verify(appB.appId, token, { code: totpCode(userB.secret, currentStep()) });
        expect([kind, ...answers, `verify → ${asChallenge.status} ${asChallenge.body.error?.code}`]).toEqual([
          kind,
          ...all(authenticated, 401, 'unauthorized'),
          'verify → 401 challenge_invalid',
        ]);
      }

      expect(await appState(appB.appId)).toEqual(before);
      expect((await call('GET', `/v1/apps/${appA.appId}/settings/two-factor`, { token: foreign['admin session of A'] })).status).toBe(200);
      expect((await call('GET', `/v1/apps/${appA.appId}/me`, { token: foreign['two_factor session of A'] })).status).toBe(200);
      const stillAChallenge = await verify(appA.appId, foreign['login challenge of A'], { code: '000000' });
      expect(stillAChallenge.body.error.code).toBe('invalid_code');
      expect(
        (await call('POST', `/v1/apps/${required.appId}/2fa/enrollment`, { token: foreign['enrollment challenge of another app'] })).status,
      ).toBe(201);
    });
  });

  describe('a user is not an admin', () => {
    it('a member, with a password or a two_factor session, gets 403 forbidden from every admin route, and the app is unchanged', async () => {
      const member = await signUp(appA);
      const enrolled = await signUpAndEnroll(appA);
      const sessions = { 'password session': member.token, 'two_factor session': await twoFactorSession(appA, enrolled) };
      const admin = stepsWith('admin');
      const before = await appState(appA.appId);

      for (const [kind, token] of Object.entries(sessions)) {
        for (const target of [member.userId, enrolled.userId]) {
          expect([kind, ...(await answersOf(admin, appA.appId, token, target))]).toEqual([kind, ...all(admin, 403, 'forbidden')]);
        }
      }

      expect(await appState(appA.appId)).toEqual(before);
      expect((await call('GET', `/v1/apps/${appA.appId}/me`, { token: sessions['two_factor session'] })).body.twoFactor.enabled).toBe(true);
    });
  });

  describe('an admin is the admin of one app', () => {
    it('the admin of app A cannot read or change app B (settings, publish, users, reset, audit), through either app’s path', async () => {
      const userB = await signUpAndEnroll(appB);
      const admin = stepsWith('admin');
      const reset = httpSteps.find((step) => step.step === 'user-reset')!;
      const before = await appState(appB.appId);

      expect(await answersOf(admin, appB.appId, appA.adminToken, userB.userId)).toEqual(all(admin, 401, 'unauthorized'));
      // Through A's own path, B's user is no user of A.
      const throughA = await send(reset, appA.appId, appA.adminToken, userB.userId);
      expect([throughA.status, throughA.body.error.code]).toEqual([404, 'not_found']);

      expect(await appState(appB.appId)).toEqual(before);
      const users = await call('GET', `/v1/apps/${appB.appId}/users?limit=100`, { token: appB.adminToken });
      expect(users.body.users.find((user: { id: string }) => user.id === userB.userId).twoFactorSetupComplete).toBe(true);
    });
  });

  describe('a dead token stays dead', () => {
    it('a logged-out session opens nothing any more, a member’s or an admin’s', async () => {
      const member = await signUp(appA);
      const adminLogin = await call('POST', `/v1/apps/${appA.appId}/login`, { body: { email: appA.adminEmail, password } });
      const adminToken: string = adminLogin.body.session.token;
      expect((await call('GET', `/v1/apps/${appA.appId}/settings/two-factor`, { token: adminToken })).status).toBe(200);

      for (const token of [member.token, adminToken]) {
        expect((await call('POST', `/v1/apps/${appA.appId}/logout`, { token })).status).toBe(204);
        expect(await answersOf(authenticated, appA.appId, token, member.userId)).toEqual(all(authenticated, 401, 'unauthorized'));
      }
    });

    it('an admin reset kills every session and challenge of the user at once, on every route', async () => {
      const user = await signUpAndEnroll(appA);
      const twoFactor = await twoFactorSession(appA, user);
      const challengeToken = await loginChallenge(appA, user.email);
      expect(
        (
          await call('POST', `/v1/apps/${appA.appId}/users/${user.userId}/2fa/reset`, {
            token: appA.adminToken,
            body: { reason: 'lost phone' },
          })
        ).status,
      ).toBe(200);

      for (const token of [user.sessionToken, twoFactor, challengeToken]) {
        expect(await answersOf(authenticated, appA.appId, token, user.userId)).toEqual(all(authenticated, 401, 'unauthorized'));
      }
      await awayFromStepBoundary();
      const stale = await verify(appA.appId, challengeToken, { code: totpCode(user.secret, currentStep()) });
      expect([stale.status, stale.body.error.code]).toEqual([401, 'challenge_invalid']);
      expect((await call('POST', `/v1/apps/${appA.appId}/login`, { body: { email: user.email, password } })).body.status).toBe('SIGNED_IN');
    });
  });
});
