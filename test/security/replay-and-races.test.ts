import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type TestApp,
  call,
  createTestApp,
  documentClient,
  loginChallenge,
  password,
  signUpAndEnroll,
  uniqueEmail,
} from '../support/api.js';
import { inParallel, isCountedRefusal, isError, loginChallenges, parallelRequests } from '../support/parallel.js';
import { settledSessionsOf, storedItem, storedLoginChallenge } from '../support/table.js';

/** RFC 6238 §5.2 and single use: every one-time thing is spent by a conditional write, so races lose. */
describe('replay and races', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ plan: 'enterprise', mode: 'optional' });
  });

  const verify = (body: Record<string, unknown>) => call('POST', `/v1/apps/${app.appId}/login/verify`, { body });

  it('rejects the same code twice', async () => {
    const user = await signUpAndEnroll(app);
    const code = totpCode(user.secret, user.confirmedStep + 1);

    const first = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, user.email), code },
    });
    const second = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, user.email), code },
    });

    expect(first.body.status).toBe('SIGNED_IN');
    expect([second.status, second.body.error.code]).toEqual([401, 'invalid_code']);
  });

  it('rejects the code of step N−1 once step N was accepted', async () => {
    const user = await signUpAndEnroll(app);
    await awayFromStepBoundary();
    const now = currentStep();

    const newer = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, user.email), code: totpCode(user.secret, now + 1) },
    });
    const older = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, user.email), code: totpCode(user.secret, now) },
    });

    expect(newer.body.status).toBe('SIGNED_IN');
    expect([older.status, older.body.error.code]).toEqual([401, 'invalid_code']);
  });

  it('lets exactly one of 50 parallel logins with one valid code succeed', async () => {
    const user = await signUpAndEnroll(app);
    const challenges = await loginChallenges(app, user.email, parallelRequests);
    await awayFromStepBoundary();
    const step = currentStep();

    const answers = await Promise.all(challenges.map((challengeToken) => verify({ challengeToken, code: totpCode(user.secret, step) })));

    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    // Every loser was a checked attempt: a wrong (replayed) code, or refused by the lockout it caused.
    expect(answers.filter((answer) => isCountedRefusal(answer))).toHaveLength(parallelRequests - 1);
    expect((await storedItem(`USER#${user.userId}`, 'TOTP'))!.lastAcceptedStep).toBe(step);
    expect((await settledSessionsOf(user.userId)).filter((session) => session.assurance === 'two_factor')).toHaveLength(1);
  });

  it('spends one challenge once when 50 requests answer it at once with valid codes of all three steps', async () => {
    const user = await signUpAndEnroll(app);
    const challengeToken = await loginChallenge(app, user.email);
    await awayFromStepBoundary();
    const now = currentStep();

    const answers = await inParallel(parallelRequests, (index) =>
      verify({ challengeToken, code: totpCode(user.secret, now - 1 + (index % 3)) }),
    );

    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => isCountedRefusal(answer) || isError(answer, 401, 'challenge_invalid'))).toHaveLength(
      parallelRequests - 1,
    );
    expect(await storedLoginChallenge(user.userId, challengeToken)).toBeUndefined();
    expect((await settledSessionsOf(user.userId)).filter((session) => session.assurance === 'two_factor')).toHaveLength(1);
  });

  it('treats emails case-insensitively', async () => {
    const email = uniqueEmail('Case');
    await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } });

    const again = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: email.toUpperCase(), password } });
    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: email.toUpperCase(), password } });

    expect(again.status).toBe(409);
    expect(login.body.status).toBe('SIGNED_IN');
  });

  it('kills a login challenge after 5 wrong codes', async () => {
    const user = await signUpAndEnroll(app);
    const challengeToken = await loginChallenge(app, user.email);
    const wrong = totpCode(user.secret, currentStep() + 7);

    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      remaining.push(
        (await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, code: wrong } })).body.error.attemptsRemaining,
      );
    }
    const afterwards = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, code: totpCode(user.secret) } });

    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    expect([afterwards.status, afterwards.body.error.code]).toEqual([401, 'challenge_invalid']);
  });

  it('locks the second factor after 10 consecutive wrong codes across challenges and sessions', async () => {
    const user = await signUpAndEnroll(app);
    const wrong = totpCode(user.secret, currentStep() + 9);
    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push(await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, { token: user.sessionToken, body: { code: wrong } }));
    for (let i = 0; i < 5; i++)
      answers.push(
        await call('POST', `/v1/apps/${app.appId}/login/verify`, {
          body: { challengeToken: await loginChallenge(app, user.email), code: wrong },
        }),
      );

    const locked = answers[9]!;
    expect(answers.slice(0, 9).map((answer) => answer.body.error.code)).toEqual(Array(9).fill('invalid_code'));
    expect(answers[8]!.body.error.attemptsRemaining).toBe(1);
    expect([locked.status, locked.body.error.code, locked.body.error.retryAfterSeconds]).toEqual([429, 'too_many_attempts', 60]);
    expect(locked.headers.get('retry-after')).toBe('60');
    const evenTheRightCode = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, user.email), code: totpCode(user.secret) },
    });
    expect(evenTheRightCode.status).toBe(429);
    expect(Number(evenTheRightCode.headers.get('retry-after'))).toBeGreaterThan(50);
  });

  it('checks no more than 10 codes when 30 guesses arrive at once, then refuses even the right code', async () => {
    const user = await signUpAndEnroll(app);
    const wrong = totpCode(user.secret, currentStep() + 11);

    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, { token: user.sessionToken, body: { code: wrong } }),
      ),
    );

    expect(answers.filter((answer) => answer.body.error.code === 'invalid_code')).toHaveLength(9);
    expect(answers.filter((answer) => answer.status === 429 && answer.body.error.code === 'too_many_attempts')).toHaveLength(21);
    // Exactly ten codes were checked: each reserved (and counted) before its check.
    const client = documentClient();
    const factor = (
      await client.send(new GetCommand({ TableName: process.env.TWOFA_TABLE_NAME, Key: { pk: `USER#${user.userId}`, sk: 'TOTP' } }))
    ).Item!;
    client.destroy();
    expect(factor.failedAttempts).toBe(10);
    const right = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, user.email), code: totpCode(user.secret) },
    });
    expect(right.status).toBe(429);
  });
});
