/**
 * Sign up → Link authenticator app → Confirm linking → Download backup codes, in a real browser, typing
 * the codes of an independent authenticator.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { type TestApp, call, createTestApp, password } from '../support/api.js';
import { decodeQrDataUrl } from '../support/qr.js';
import { AuthenticatorApp } from './support/authenticator-app.js';
import { type PortalPage, capture, clipboardText, expectText, launchChromium, openPortal } from './support/browser.js';

let browser: Browser;
let portal: PortalPage;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
});

afterEach(async () => {
  expect(portal.problems).toEqual([]);
  await portal.context.close();
});

/** Reads the manual key and the QR code of the Link step, as a person with a phone would. */
async function linkStep(page: Page, issuer: string): Promise<AuthenticatorApp> {
  await page.getByRole('heading', { name: 'Link authenticator app' }).waitFor();
  const manualKey = (await page.getByTestId('manual-key').innerText()).trim().replace(/\s+/g, ' ');
  expect(manualKey).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  const qr = new URL(decodeQrDataUrl((await page.getByRole('img', { name: /QR code/ }).getAttribute('src'))!));
  expect(qr.protocol).toBe('otpauth:');
  expect(qr.searchParams.get('secret')).toBe(manualKey.replace(/ /g, ''));
  expect(qr.searchParams.get('issuer')).toBe(issuer);
  return new AuthenticatorApp(manualKey.replace(/ /g, ''));
}

/** Confirm linking with the app's code, then the backup codes: download, "I saved them", continue. */
async function confirmAndSaveCodes(page: Page, app: AuthenticatorApp, screenshots?: { confirm: string; codes: string }): Promise<string[]> {
  await page.getByRole('button', { name: 'Next: confirm linking' }).click();
  await page.getByRole('heading', { name: 'Confirm linking' }).waitFor();
  await page.getByLabel('Authentication code').fill(await app.nextCode());
  if (screenshots) await capture(page, screenshots.confirm);
  await page.getByRole('button', { name: 'Confirm' }).click();

  await page.getByRole('heading', { name: 'Download backup codes' }).waitFor();
  const codes = (await page.getByRole('list', { name: 'Backup codes' }).locator('li').allInnerTexts()).map((code) => code.trim());
  expect(codes).toHaveLength(10);
  for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
  const continueButton = page.getByRole('button', { name: 'Continue' });
  expect(await continueButton.isDisabled()).toBe(true);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download backup codes (.txt)' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/-backup-codes\.txt$/);
  const file = readFileSync(await download.path(), 'utf8');
  for (const code of codes) expect(file).toContain(code);

  await page.getByLabel('I have saved my backup codes somewhere safe').check();
  if (screenshots) await capture(page, screenshots.codes);
  await continueButton.click();
  return codes;
}

describe('sign-up with 2FA optional', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ name: 'Acme Portal', plan: 'enterprise', mode: 'optional' });
  });

  it('links an authenticator app right after the password, confirms it and hands out the backup codes', async () => {
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await page.getByLabel('Email').fill('ada@example.test');
    await page.getByLabel('Password').fill(password);
    await capture(page, '01-sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();

    const authenticator = await linkStep(page, 'Acme Portal');
    await page.getByRole('button', { name: 'Copy key' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Key copied' }), /Key copied/);
    expect(await clipboardText(page)).toBe(authenticator.secret);
    await capture(page, '02-link-authenticator-app');

    const codes = await confirmAndSaveCodes(page, authenticator, { confirm: '03-confirm-linking', codes: '04-download-backup-codes' });

    await page.getByRole('heading', { name: 'Welcome, ada@example.test' }).waitFor();
    await expectText(page.locator('.banner'), /Two-factor authentication is on/);
    // The portal holds a session: the service agrees that 2FA is on, with the ten codes it showed.
    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: 'ada@example.test', password } });
    expect(login.body.status).toBe('TWO_FACTOR_REQUIRED');
    const verified = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: login.body.challenge.token, backupCode: codes[0] },
    });
    expect([verified.status, verified.body.backupCodesRemaining]).toEqual([200, 9]);
  });

  it('lets a new user skip linking and set it up later', async () => {
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill('later@example.test');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Link authenticator app' }).waitFor();
    await page.getByRole('button', { name: /Not now/ }).click();

    await page.getByRole('heading', { name: 'Welcome, later@example.test' }).waitFor();
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).waitFor();
  });

  it('refuses an email that is taken, in words', async () => {
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill('ada@example.test');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectText(page.getByRole('alert'), /already exists/);
  });
});

describe('sign-up with 2FA required', () => {
  it('makes linking part of sign-up: no skipping, and the session comes with the confirmation', async () => {
    const app = await createTestApp({ name: 'Vault Portal', plan: 'enterprise', mode: 'required' });
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill('grace@example.test');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();

    const authenticator = await linkStep(page, 'Vault Portal');
    await expectText(page.locator('main'), /This app requires two-factor authentication/);
    expect(await page.getByRole('button', { name: /Not now/ }).count()).toBe(0);
    await capture(page, '05-required-at-sign-up');
    await confirmAndSaveCodes(page, authenticator);

    await page.getByRole('heading', { name: 'Welcome, grace@example.test' }).waitFor();
    // The home page loaded `me` with the session the confirmation issued.
    expect(portal.requests).toContain(`GET /v1/apps/${app.appId}/me`);
  });
});
