import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type ApiResponse, call, createTestApp, documentClient, loginChallenge, password, signUpAndEnroll, uniqueEmail } from '../support/api.js';
import { decodeQrDataUrl } from '../support/qr.js';

/** Fault rules for the test stack's switch (test/support/stack-process.ts), scoped by an id in the request. */
interface FaultRule {
  service: 'dynamodb' | 'kms';
  operation?: string;
  bodyIncludes: string;
  status: number;
  type: string;
  message: string;
  details?: Record<string, unknown>;
  times?: number;
}

async function injectFaults(rules: FaultRule[]): Promise<void> {
  await fetch(process.env.TWOFA_FAULT_CONTROL_URL!, { method: 'PUT', body: JSON.stringify(rules) });
}

async function clearFaults(): Promise<void> {
  await fetch(process.env.TWOFA_FAULT_CONTROL_URL!, { method: 'DELETE' });
}

function expectNoInternals(response: ApiResponse): void {
  expect(response.text).not.toMatch(/Exception|injected|at [\w.<>]+ \(|node_modules/);
}

const throttling = { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'injected: throughput exceeded' };

/** API.md's last two error rows: 503 for a failing dependency, 500 for anything else, never a cause. */
describe('dependency failures', () => {
  afterEach(clearFaults);

  it('answers 503 service_unavailable with Retry-After while DynamoDB throttles, and serves again after', async () => {
    const app = await createTestApp();
    await injectFaults([{ service: 'dynamodb', operation: 'GetItem', bodyIncludes: `APP#${app.appId}"`, ...throttling }]);

    const failing = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: app.adminEmail, password } });

    expect([failing.status, failing.body.error.code]).toEqual([503, 'service_unavailable']);
    expect(failing.headers.get('retry-after')).toBe('1');
    expectNoInternals(failing);
    await clearFaults();
    expect((await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: app.adminEmail, password } })).status).toBe(200);
  });

  it('answers 503 when KMS cannot unwrap the data key, and serves again after', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const token = (await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } })).body.session.token;
    await injectFaults([{ service: 'kms', operation: 'Decrypt', bodyIncludes: app.appId, status: 500, type: 'KMSInternalException', message: 'injected: KMS failed' }]);

    const failing = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token });

    expect([failing.status, failing.body.error.code]).toEqual([503, 'service_unavailable']);
    expectNoInternals(failing);
    await clearFaults();
    expect((await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token })).status).toBe(201);
  });

  it('answers 500 internal_error, without the cause, when a dependency rejects the request itself', async () => {
    const app = await createTestApp();
    await injectFaults([{ service: 'dynamodb', operation: 'GetItem', bodyIncludes: `APP#${app.appId}"`, status: 400, type: 'com.amazon.coral.validate#ValidationException', message: 'injected: bad expression' }]);

    const failing = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: app.adminEmail, password } });

    expect([failing.status, failing.body.error]).toEqual([500, { code: 'internal_error', message: expect.any(String) }]);
    expectNoInternals(failing);
  });

  it('leaves no half-done enrollment when the confirming transaction fails', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } });
    const token = signup.body.session.token;
    const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token });
    const secret = new URL(decodeQrDataUrl(enrollment.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
    await injectFaults([
      { service: 'dynamodb', operation: 'TransactWriteItems', bodyIncludes: signup.body.user.id, status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected' },
    ]);
    await awayFromStepBoundary();

    const failing = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, { token, body: { code: totpCode(secret, currentStep() - 1) } });

    expect([failing.status, failing.body.error.code]).toEqual([503, 'service_unavailable']);
    await clearFaults();
    const me = await call('GET', `/v1/apps/${app.appId}/me`, { token });
    expect(me.body.twoFactor).toEqual({ enabled: false, enabledAt: null, backupCodesRemaining: null });
    const users = await call('GET', `/v1/apps/${app.appId}/users`, { token: app.adminToken });
    expect(users.body.users.find((user: { id: string }) => user.id === signup.body.user.id).twoFactorSetupComplete).toBe(false);
    const retried = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, { token, body: { code: totpCode(secret) } });
    expect(retried.status).toBe(200);
    expect(retried.body.backupCodes).toHaveLength(10);
  });

  it('does not count a correct code as a guess when the final write fails: retrying after 503s does not lock the account', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const user = await signUpAndEnroll(app);
    const challengeToken = await loginChallenge(app, user.email);
    await injectFaults([
      { service: 'dynamodb', operation: 'TransactWriteItems', bodyIncludes: user.userId, status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected' },
    ]);
    await awayFromStepBoundary(8_000);
    const code = totpCode(user.secret, currentStep() + 1);

    const during = [];
    for (let i = 0; i < 11; i++) during.push((await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, code } })).status);
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
    await injectFaults([conflict(2)]);

    const retried = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken: await loginChallenge(app, user.email), code: totpCode(user.secret, user.confirmedStep + 1) } });

    expect(retried.body.status).toBe('SIGNED_IN');
    await injectFaults([conflict(50)]);
    await awayFromStepBoundary();
    const persisting = await call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken: await loginChallenge(app, user.email), code: totpCode(user.secret, currentStep() + 1) } });
    expect([persisting.status, persisting.body.error.code]).toEqual([503, 'service_unavailable']);
  });
});

async function storedFactor(userId: string): Promise<Record<string, unknown>> {
  const client = documentClient();
  try {
    return (await client.send(new GetCommand({ TableName: process.env.TWOFA_TABLE_NAME, Key: { pk: `USER#${userId}`, sk: 'TOTP' } }))).Item!;
  } finally {
    client.destroy();
  }
}
