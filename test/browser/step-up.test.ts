/**
 * The step-up prompt: an admin with 2FA whose session proved no second factor lately (signed in on a
 * browser they trusted) is asked for a code, or a backup code, before an action that weakens an account or
 * the app (a reset, a lower mode, publishing it); closing the prompt changes nothing. An admin cannot reset
 * their own 2FA from the users table, and is told why.
 */
import type { Browser, Page } from 'playwright-core';
import { type EnrolledUser, type TestApp, call, createTestApp, password, signUpAndEnroll } from '../support/api.js';
import { keepDeviceToken, linkAuthenticator, publishSettings, signInTrusted } from './support/accounts.js';
import type { AuthenticatorApp } from './support/authenticator-app.js';
import { type PortalPage, capture, expectText, focused, launchChromium, openPortal, submitPassword } from './support/browser.js';

let browser: Browser;
let portal: PortalPage;
/** Enterprise, required, trusted browsers skip the code for 7 days; its admin has linked an authenticator. */
let app: TestApp;
let adminAuthenticator: AuthenticatorApp;
let adminBackupCodes: string[];
/** A browser the admin trusted at an earlier sign-in. */
let trustedDeviceToken: string;
let grace: EnrolledUser;

beforeAll(async () => {
  browser = await launchChromium();
  app = await createTestApp({ name: 'Vault Portal', plan: 'enterprise', mode: 'optional' });
  await publishSettings(app, { mode: 'required', rememberDeviceDays: 7 });
  ({ authenticator: adminAuthenticator, backupCodes: adminBackupCodes } = await linkAuthenticator(app.appId, app.adminToken));
  trustedDeviceToken = (await signInTrusted(app.appId, app.adminEmail, adminAuthenticator)).device.token;
  grace = await signUpAndEnroll(app, 'grace@example.test');
});

afterAll(async () => {
  await browser.close();
});

afterEach(async () => {
  expect(portal.problems).toEqual([]);
  await portal.context.close();
});

/** Signs the admin in on the trusted browser: the password only, no code (and so no recent second factor). */
async function signInOnTrustedBrowser(page: Page): Promise<void> {
  await keepDeviceToken(page, app.appId, trustedDeviceToken);
  await submitPassword(page, app.adminEmail, password);
  await page.getByRole('heading', { name: `Welcome, ${app.adminEmail}` }).waitFor();
  await expectText(page.locator('.banner', { hasText: 'No code was needed' }), /you trusted this browser/);
}

/** The draft as the service keeps it (read with the admin's API session, which linking the authenticator kept). */
async function settingsDraft(): Promise<{ mode: string; rememberDeviceDays: number }> {
  return (await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken })).body.draft;
}

describe('step-up before a weakening admin action', () => {
  it('asks for a code from the authenticator app before resetting a user’s 2FA, then resets it', async () => {
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await signInOnTrustedBrowser(page);
    await page.getByRole('button', { name: 'Users' }).click();
    const graceRow = page.getByRole('row', { name: /grace@example\.test/ });
    await expectText(graceRow, /Yes/);
    await graceRow.getByRole('button', { name: 'Actions for grace@example.test' }).click();
    await page.getByRole('menuitem', { name: 'Reset 2FA' }).click();
    const confirmation = page.getByRole('dialog', { name: 'Reset 2FA for grace@example.test?' });
    await confirmation.getByRole('button', { name: 'Reset 2FA' }).click();

    // The service answered step_up_required: the prompt opens over the confirmation, which waits inert.
    const prompt = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await prompt.waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'input', inDialog: true });
    expect(await page.evaluate(`[...document.querySelectorAll('.backdrop')].map((backdrop) => backdrop.inert)`)).toEqual([true, false]);
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      expect(
        await page.evaluate(
          `document.activeElement.closest('[role=dialog]')?.getAttribute('aria-labelledby') === document.querySelectorAll('[role=dialog]')[1].getAttribute('aria-labelledby')`,
        ),
      ).toBe(true);
    }
    await prompt.getByLabel('Authentication code').fill(adminAuthenticator.wrongCode());
    await prompt.getByRole('button', { name: 'Confirm' }).click();
    await expectText(prompt.getByRole('alert'), /That code is not valid\. You have \d+ attempts? left\./);
    await prompt.getByLabel('Authentication code').fill(await adminAuthenticator.nextCode());
    await capture(page, '26-step-up-prompt');
    await prompt.getByRole('button', { name: 'Confirm' }).click();

    // Proven: the reset ran again and went through.
    await prompt.waitFor({ state: 'detached' });
    await confirmation.waitFor({ state: 'detached' });
    await expectText(page.locator('.banner', { hasText: '2FA was reset' }), /2FA was reset for grace@example\.test/);
    await expectText(graceRow, /No/);
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: grace.sessionToken })).status).toBe(401);

    // Their own row: no admin route resets the admin's own 2FA, and the portal says why.
    const ownRow = page.getByRole('row', { name: new RegExp(app.adminEmail.replace(/[.+]/g, '\\$&')) });
    await ownRow.getByRole('button', { name: `Actions for ${app.adminEmail}` }).click();
    await page.getByRole('menuitem', { name: 'Reset 2FA' }).click();
    const own = page.getByRole('dialog', { name: `Reset 2FA for ${app.adminEmail}?` });
    await own.getByRole('button', { name: 'Reset 2FA' }).click();
    await expectText(own.getByRole('alert'), /Admins cannot reset or unlock their own account: another admin of the app can\./);
    await capture(page, '27-own-account-forbidden');
  });

  it('closing the prompt changes nothing; a backup code confirms a lower mode, and publishing it asks no more', async () => {
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await signInOnTrustedBrowser(page);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('radio', { name: 'Optional' }).check();
    const prompt = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await prompt.waitFor();

    // Escape: the draft keeps "Required", and the radio says so.
    await page.keyboard.press('Escape');
    await prompt.waitFor({ state: 'detached' });
    expect(await page.getByRole('radio', { name: 'Required' }).isChecked()).toBe(true);
    expect((await page.getByRole('alert').allInnerTexts()).join('')).toBe('');
    expect(await page.evaluate(`document.activeElement.id`)).toBe('mode-required');
    expect((await settingsDraft()).mode).toBe('required');

    await page.getByRole('radio', { name: 'Optional' }).check();
    await prompt.waitFor();
    await prompt.getByRole('button', { name: 'Use a backup code instead' }).click();
    await prompt.getByLabel('Backup code').fill(adminBackupCodes[0]!);
    await prompt.getByRole('button', { name: 'Confirm' }).click();
    await prompt.waitFor({ state: 'detached' });
    await expectText(page.locator('.banner', { hasText: 'Unpublished changes' }), /Your users still get “Required”/);
    expect(await page.getByRole('radio', { name: 'Optional' }).isChecked()).toBe(true);

    // The session proved a second factor a moment ago: publishing the lower mode needs nothing more.
    await page.getByRole('button', { name: 'Publish' }).click();
    await expectText(
      page.locator('.banner', { hasText: 'Published version' }),
      /two-factor authentication is now Optional for your users, and trusted browsers skip the code for 7 days\./,
    );
    expect(await page.getByRole('dialog').count()).toBe(0);
  });
});
