import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { type EnrolledUser, type TestApp, call, documentClient, nextCode, password } from './api.js';
import { awayFromStepBoundary, currentStep, totpCode } from './authenticator.js';
import { decodeQrDataUrl } from './qr.js';
import { tokenHash } from './table.js';

/** Helpers for the device, remembering and step-up flows (API.md, "Devices, step-up and recovery"). */

export async function login(app: TestApp, email: string, deviceToken?: string) {
  return call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password, ...(deviceToken ? { deviceToken } : {}) } });
}

/**
 * Password and second factor: the SIGNED_IN of /login/verify. A code from the authenticator by default; a
 * `backupCode` needs no fresh time step, for tests that sign in often.
 */
export async function signIn(
  app: TestApp,
  user: EnrolledUser,
  options: { deviceToken?: string; rememberDevice?: boolean; backupCode?: string } = {},
) {
  const first = await login(app, user.email, options.deviceToken);
  expect(first.body.status).toBe('TWO_FACTOR_REQUIRED');
  const verify = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
    body: {
      challengeToken: first.body.challenge.token,
      ...(options.backupCode ? { backupCode: options.backupCode } : { code: await nextCode(user) }),
      ...(options.rememberDevice ? { rememberDevice: true } : {}),
    },
  });
  expect(verify.status).toBe(200);
  return verify;
}

export async function setRememberDays(
  app: TestApp,
  mode: 'optional' | 'required',
  rememberDeviceDays: number,
  adminToken = app.adminToken,
): Promise<void> {
  const put = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token: adminToken, body: { mode, rememberDeviceDays } });
  expect(put.status).toBe(200);
  expect((await call('POST', `/v1/apps/${app.appId}/publish`, { token: adminToken })).status).toBe(200);
}

export async function auditTypes(app: TestApp, adminToken = app.adminToken): Promise<string[]> {
  const events = await call('GET', `/v1/apps/${app.appId}/audit-events?limit=100`, { token: adminToken });
  return events.body.events.map((event: { type: string }) => event.type);
}

/** The admin links an authenticator; returns the admin as an enrolled user with a fresh two-factor session. */
export async function enrollAdmin(app: TestApp): Promise<EnrolledUser & { token: string }> {
  const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: app.adminToken });
  expect(enrollment.status).toBe(201);
  const secret = new URL(decodeQrDataUrl(enrollment.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
  await awayFromStepBoundary();
  const confirmedStep = currentStep() - 1;
  const confirm = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, {
    token: app.adminToken,
    body: { code: totpCode(secret, confirmedStep) },
  });
  expect(confirm.status).toBe(200);
  const me = await call('GET', `/v1/apps/${app.appId}/me`, { token: app.adminToken });
  return {
    email: app.adminEmail,
    userId: me.body.user.id,
    secret,
    backupCodes: confirm.body.backupCodes,
    sessionToken: app.adminToken,
    confirmedStep,
    deviceToken: '',
    token: app.adminToken,
  };
}

/** Moves a session's last proven second factor back in time, as 11 minutes passing would. */
export async function ageSecondFactor(sessionToken: string, byMs: number): Promise<void> {
  const client = documentClient();
  try {
    await client.send(
      new UpdateCommand({
        TableName: process.env.TWOFA_TABLE_NAME,
        Key: keys.session(tokenHash(sessionToken)),
        UpdateExpression: 'SET secondFactorAt = secondFactorAt - :by',
        ExpressionAttributeValues: { ':by': byMs },
      }),
    );
  } finally {
    client.destroy();
  }
}
