import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type ApiResponse, call, createTestApp, documentClient, loginChallenge, password, signUpAndEnroll } from '../support/api.js';
import { type FaultRule, faultSwitch } from '../support/faults.js';
import { sessionsOf } from '../support/table.js';

const faults = faultSwitch('faults');
const injectFaults = (rules: FaultRule[]) => faults.inject(rules);
const clearFaults = () => faults.clear();

function expectNoInternals(response: ApiResponse): void {
  expect(response.text).not.toMatch(/Exception|injected|at [\w.<>]+ \(|node_modules/);
}

/**
 * API.md's last two error rows: 503 for a failing dependency, 500 for anything else, never a cause; and what
 * a 503 must not cost the user. Every step under throttling, server errors, KMS failures, failures between
 * its writes and hangs: faults-at-each-step.test.ts.
 */
describe('dependency failures', () => {
  afterEach(clearFaults);

  it('answers 500 internal_error, without the cause, when a dependency rejects the request itself', async () => {
    const app = await createTestApp();
    await injectFaults([
      {
        service: 'dynamodb',
        operation: 'BatchGetItem',
        bodyIncludes: `APP#${app.appId}"`,
        status: 400,
        type: 'com.amazon.coral.validate#ValidationException',
        message: 'injected: bad expression',
      },
    ]);

    const failing = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: app.adminEmail, password } });

    expect([failing.status, failing.body.error]).toEqual([500, { code: 'internal_error', message: expect.any(String) }]);
    expectNoInternals(failing);
  });

  it('does not count a correct code as a guess when the final write fails: retrying after 503s does not lock the account', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const user = await signUpAndEnroll(app);
    const challengeToken = await loginChallenge(app, user.email);
    await injectFaults([
      {
        service: 'dynamodb',
        // The commit: one conditional write of the factor (spending the challenge and the step).
        operation: 'UpdateItem',
        bodyIncludes: user.userId,
        status: 500,
        type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: 'injected',
      },
    ]);
    await awayFromStepBoundary(8_000);
    const code = totpCode(user.secret, currentStep() + 1);

    const during = [];
    for (let i = 0; i < 11; i++)
      during.push((await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, code } })).status);
    const factor = await storedFactor(user.userId);
    await clearFaults();
    const after = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, code } });

    expect(during).toEqual(Array(11).fill(503));
    expect([factor.failedAttempts, factor.lockedUntil]).toEqual([0, undefined]);
    expect(after.body.status).toBe('SIGNED_IN');
  });

  it('retries a transaction cancelled only by conflicts with others, and answers 503 when they persist', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const user = await signUpAndEnroll(app);
    const conflict = (times: number): FaultRule => ({
      service: 'dynamodb',
      operation: 'TransactWriteItems',
      bodyIncludes: user.userId,
      status: 400,
      type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
      details: { CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }] },
      times,
    });
    // The password steps write too: their challenges are taken before the faults go in. A login with a backup
    // code commits in one transaction.
    const [first, second] = [await loginChallenge(app, user.email), await loginChallenge(app, user.email)];
    await injectFaults([conflict(2)]);

    const retried = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: first, backupCode: user.backupCodes[0] },
    });

    expect(retried.body.status).toBe('SIGNED_IN');
    await injectFaults([conflict(50)]);
    const persisting = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: second, backupCode: user.backupCodes[1] },
    });
    expect([persisting.status, persisting.body.error.code]).toEqual([503, 'service_unavailable']);
  });

  it('retries a single write that collided with a transaction in progress, and answers 503 when that persists', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const user = await signUpAndEnroll(app);
    const conflict = (times: number): FaultRule => ({
      service: 'dynamodb',
      // A TOTP login's commit: one conditional write of the factor.
      operation: 'UpdateItem',
      bodyIncludes: user.userId,
      status: 400,
      type: 'com.amazonaws.dynamodb.v20120810#TransactionConflictException',
      message: 'Transaction is ongoing for the item',
      times,
    });
    const [first, second] = [await loginChallenge(app, user.email), await loginChallenge(app, user.email)];
    await injectFaults([conflict(2)]);

    const retried = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: first, code: totpCode(user.secret, user.confirmedStep + 1) },
    });

    expect(retried.body.status).toBe('SIGNED_IN');
    const sessionsBefore = (await sessionsOf(user.userId)).length;
    await injectFaults([conflict(50)]);
    await awayFromStepBoundary();
    const persisting = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: second, code: totpCode(user.secret, currentStep() + 1) },
    });
    expect([persisting.status, persisting.body.error.code]).toEqual([503, 'service_unavailable']);
    // The session written beside the refused commit was taken back.
    expect(await sessionsOf(user.userId)).toHaveLength(sessionsBefore);
  });
});

async function storedFactor(userId: string): Promise<Record<string, unknown>> {
  const client = documentClient();
  try {
    return (await client.send(new GetCommand({ TableName: process.env.TWOFA_TABLE_NAME, Key: { pk: `USER#${userId}`, sk: 'TOTP' } })))
      .Item!;
  } finally {
    client.destroy();
  }
}
