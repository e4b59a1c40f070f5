import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import { call, createTestApp, loginChallenge, password, signUpAndEnroll } from '../support/api.js';
import { readSensitiveValues, sensitiveValuesFileVariable } from '../support/leak-scan.js';

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
});
