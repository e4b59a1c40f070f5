import { existsSync, readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import { call, createTestApp, loginChallenge, password, signUpAndEnroll } from '../support/api.js';
import { awsErrors, faultSwitch } from '../support/faults.js';
import { readSensitiveValues, sensitiveValuesFileVariable } from '../support/leak-scan.js';
import { isMetricLine, logHaystacks } from '../support/stack-haystacks.js';

/**
 * The "nothing leaks" scan runs in the global teardown, after the whole suite (test/support/global-teardown.ts);
 * it can only find what the ledger holds. This proves the ledger is fed from the test workers.
 */
describe('the ledger of the "nothing leaks" scan', () => {
  it('records every password, code, token, backup code and TOTP secret that crosses the API', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const user = await signUpAndEnroll(app);
    const challengeToken = await loginChallenge(app, user.email);
    await awayFromStepBoundary();
    const code = totpCode(user.secret, currentStep());
    const verify = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, code } });
    const download = await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, {
      token: verify.body.session.token,
      body: { code: totpCode(user.secret, currentStep() + 1) },
      headers: { accept: 'text/plain' },
    });
    expect([verify.status, download.status]).toEqual([200, 200]);

    const ledger = readSensitiveValues(process.env[sensitiveValuesFileVariable]!);

    const recorded = (kind: string) => new Set(ledger.filter((value) => value.kind === kind).map((value) => value.value));
    expect(recorded('password')).toContain(password);
    expect(recorded('TOTP secret')).toContain(user.secret);
    expect(recorded('one-time code')).toContain(code);
    for (const token of [app.adminToken, user.sessionToken, challengeToken, verify.body.session.token])
      expect(recorded('token')).toContain(token);
    for (const backupCode of [...user.backupCodes, ...download.text.match(/[a-z0-9]{5}-[a-z0-9]{5}/g)!])
      expect(recorded('backup code')).toContain(backupCode);
  });

  it('has the stack’s stdout and stderr captured to files', () => {
    const files = (process.env.TWOFA_STACK_LOG_FILES ?? '').split(delimiter).filter(Boolean);

    expect(files).toHaveLength(2);
    for (const file of files) expect(existsSync(file)).toBe(true);
  });

  it('scans the metrics too: EMF lines of the sign-in funnel, with the step as dimension and the request as property', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const user = await signUpAndEnroll(app);
    const challengeToken = await loginChallenge(app, user.email);
    await awayFromStepBoundary();
    const verify = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken, code: totpCode(user.secret, currentStep()) },
    });
    expect(verify.status).toBe(200);

    const metricLines = () =>
      (process.env.TWOFA_STACK_LOG_FILES ?? '')
        .split(delimiter)
        .flatMap(logHaystacks)
        .filter((line) => isMetricLine(line.text) && line.where.includes('EMF metric line'))
        .map((line) => JSON.parse(line.text))
        .filter((record) => record.appId === app.appId);
    // The stack's log reaches its file a moment after the answer.
    let records = metricLines();
    for (let wait = 0; wait < 20 && !records.some((record) => record.step === 'login-verify'); wait++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      records = metricLines();
    }

    const verifyRecord = records.find((record) => record.step === 'login-verify');
    expect(verifyRecord).toMatchObject({ SignIns: 1, SecondFactorSuccesses: 1, service: 'two-factor', correlationId: expect.any(String) });
    expect(verifyRecord._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'TwoFactor', Dimensions: [['service', 'step']] });
    expect(records.find((record) => record.step === 'enrollment-confirm')).toMatchObject({ Enrollments: 1 });
  });

  it('puts the Lambda context, the step, the app and the correlation id on every log line of a request', async () => {
    const app = await createTestApp();
    const faults = faultSwitch(`nothing-leaks-${app.appId}`);
    // A dependency failure is what a step logs (a warning, with its error's name only).
    await faults.inject([{ service: 'dynamodb', bodyIncludes: app.appId, ...awsErrors.dynamoInternal }]);
    let refused;
    try {
      refused = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: app.adminEmail, password } });
    } finally {
      await faults.clear();
    }
    expect(refused.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lines = (process.env.TWOFA_STACK_LOG_FILES ?? '')
      .split(delimiter)
      .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
      .filter((line) => line.startsWith('{') && !isMetricLine(line) && line.includes(app.appId) && line.includes('"step":"login"'))
      .map((line) => JSON.parse(line));

    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line).toMatchObject({
        step: 'login',
        appId: app.appId,
        correlation_id: expect.any(String),
        function_request_id: expect.any(String),
      });
  });
});
