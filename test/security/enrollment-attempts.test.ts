import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import { type TestApp, call, createTestApp, password, uniqueEmail } from '../support/api.js';

describe('enrollment confirmation attempts', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
  });

  it('discards the pending secret after 5 wrong codes: even its right code fails, and the user starts over', async () => {
    const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } });
    const token: string = signup.body.session.token;
    const started = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token });
    const secret = new URL(started.body.otpauthUri).searchParams.get('secret')!;
    await awayFromStepBoundary();
    const wrong = totpCode(secret, currentStep() + 5);

    const remaining: number[] = [];
    for (let i = 0; i < 5; i++)
      remaining.push(
        (await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, { token, body: { code: wrong } })).body.error.attemptsRemaining,
      );
    const rightCodeTooLate = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, {
      token,
      body: { code: totpCode(secret, currentStep()) },
    });
    const again = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token });
    const newSecret = new URL(again.body.otpauthUri).searchParams.get('secret')!;
    const confirmed = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, {
      token,
      body: { code: totpCode(newSecret, currentStep()) },
    });

    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    expect([rightCodeTooLate.status, rightCodeTooLate.body.error.code]).toEqual([409, 'not_enrolled']);
    expect(newSecret).not.toBe(secret);
    expect(confirmed.body.status).toBe('ENABLED');
  });
});
