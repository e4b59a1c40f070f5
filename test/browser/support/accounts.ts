/**
 * Set-up through the API for the device, step-up and unlock specs: settings with remembered devices, an
 * authenticator linked to an existing account (the app's admin), a browser the user trusted earlier, and
 * the device token the portal keeps in localStorage.
 */
import type { Page } from 'playwright-core';
import { type TestApp, call, password } from '../../support/api.js';
import { decodeQrDataUrl } from '../../support/qr.js';
import { AuthenticatorApp } from './authenticator-app.js';

/** Drafts and publishes the mode and the days a trusted browser skips the code, as the app's admin. */
export async function publishSettings(
  app: TestApp,
  settings: { mode: 'off' | 'optional' | 'required'; rememberDeviceDays: number },
  token = app.adminToken,
): Promise<void> {
  const put = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token, body: settings });
  if (put.status !== 200) throw new Error(`settings PUT failed: ${put.text}`);
  const published = await call('POST', `/v1/apps/${app.appId}/publish`, { token });
  if (published.status !== 200) throw new Error(`publish failed: ${published.text}`);
}

/**
 * Links an authenticator app to a signed-in account, as the user menu does: scan the QR code, type the
 * code. The session that confirms goes on (the account's other sessions end).
 */
export async function linkAuthenticator(
  appId: string,
  sessionToken: string,
): Promise<{ authenticator: AuthenticatorApp; backupCodes: string[] }> {
  const enrollment = await call('POST', `/v1/apps/${appId}/2fa/enrollment`, { token: sessionToken });
  if (enrollment.status !== 201) throw new Error(`enrollment failed: ${enrollment.text}`);
  const secret = new URL(decodeQrDataUrl(enrollment.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
  const authenticator = new AuthenticatorApp(secret);
  const confirm = await call('POST', `/v1/apps/${appId}/2fa/enrollment/confirm`, {
    token: sessionToken,
    body: { code: await authenticator.nextCode() },
  });
  if (confirm.status !== 200) throw new Error(`confirm failed: ${confirm.text}`);
  return { authenticator, backupCodes: confirm.body.backupCodes };
}

/**
 * A sign-in with the password and a code from `authenticator` that asks to trust the browser, the way
 * another browser (or this one, earlier) does it. Returns its session and device.
 */
export async function signInTrusted(
  appId: string,
  email: string,
  authenticator: AuthenticatorApp,
): Promise<{ sessionToken: string; device: { id: string; token: string; rememberedUntil: string | null } }> {
  const login = await call('POST', `/v1/apps/${appId}/login`, { body: { email, password } });
  if (login.body.status !== 'TWO_FACTOR_REQUIRED') throw new Error(`expected TWO_FACTOR_REQUIRED, got ${login.text}`);
  const verified = await call('POST', `/v1/apps/${appId}/login/verify`, {
    body: { challengeToken: login.body.challenge.token, code: await authenticator.nextCode(), rememberDevice: true },
  });
  if (verified.status !== 200) throw new Error(`verify failed: ${verified.text}`);
  return { sessionToken: verified.body.session.token, device: verified.body.device };
}

/** The localStorage key the portal keeps the app's device token under. */
const deviceTokenKey = (appId: string) => `twofa.device.${appId}`;

/** The device token the portal keeps for `appId` in this browser, or null. */
export async function storedDeviceToken(page: Page, appId: string): Promise<string | null> {
  return await page.evaluate<string | null>(`localStorage.getItem(${JSON.stringify(deviceTokenKey(appId))})`);
}

/** Puts a device token where the portal keeps it, as if this browser had signed in before. */
export async function keepDeviceToken(page: Page, appId: string, token: string): Promise<void> {
  await page.evaluate(`localStorage.setItem(${JSON.stringify(deviceTokenKey(appId))}, ${JSON.stringify(token)})`);
}

/** Records the JSON body of every `POST …/login` the page sends (to see the device token it carries). */
export function recordLogins(page: Page): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/login'))
      bodies.push(request.postDataJSON() as Record<string, unknown>);
  });
  return bodies;
}
