/**
 * The user menu (user icon, bottom left) → the Two-factor authentication modal: guidance, link, confirm,
 * download codes; then new backup codes and turning 2FA off from the same place, where the mode allows.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { type TestApp, call, createTestApp, password, signUpAndEnroll, uniqueEmail } from '../support/api.js';
import { AuthenticatorApp } from './support/authenticator-app.js';
import { type PortalPage, capture, expectText, focused, launchChromium, openPortal, submitPassword } from './support/browser.js';

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

/** Opens the user menu with the keyboard and chooses "Two-factor authentication". */
async function openTwoFactorModal(page: Page, screenshot?: string): Promise<void> {
  await page.getByRole('button', { name: /^User menu/ }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menu', { name: 'User menu' }).waitFor();
  expect(await focused(page)).toMatchObject({ name: 'Two-factor authentication' });
  if (screenshot) await capture(page, screenshot);
  await page.keyboard.press('Enter');
  await page.getByRole('dialog', { name: 'Two-factor authentication' }).waitFor();
}

/** Tab and Shift+Tab never leave the dialog, and the page behind it cannot be reached. */
async function expectFocusTrapped(page: Page): Promise<void> {
  for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    expect(await focused(page)).toMatchObject({ inDialog: true });
  }
}

describe('the user menu’s two-factor authentication', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ name: 'Acme Portal', plan: 'enterprise', mode: 'optional' });
  });

  it('sets 2FA up from the menu, regenerates the backup codes and turns it off again', async () => {
    const email = 'linus@example.test';
    expect((await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } })).status).toBe(201);
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await submitPassword(page, email, password);
    await page.getByRole('heading', { name: `Welcome, ${email}` }).waitFor();
    const userButton = page.getByRole('button', { name: /^User menu/ });
    const box = (await userButton.boundingBox())!;
    // Bottom left, as in the product.
    expect(box.x).toBeLessThan(100);
    expect(box.y + box.height).toBeGreaterThan(760 - 120);

    await openTwoFactorModal(page, '11-user-menu');
    const dialog = page.getByRole('dialog', { name: 'Two-factor authentication' });
    await expectText(dialog, /authenticator app/);
    await expectFocusTrapped(page);
    await capture(page, '12-two-factor-modal-guidance');

    await dialog.getByRole('button', { name: 'Start setup' }).click();
    await dialog.getByRole('heading', { name: 'Link authenticator app' }).waitFor();
    const secret = (await dialog.getByTestId('manual-key').innerText()).replace(/\s+/g, '');
    const authenticator = new AuthenticatorApp(secret);
    await capture(page, '13-two-factor-modal-link');
    await dialog.getByRole('button', { name: 'Next: confirm linking' }).click();
    await dialog.getByLabel('Authentication code').fill(await authenticator.nextCode());
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByRole('heading', { name: 'Download backup codes' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Download backup codes (.txt)' }).click(),
    ]);
    const firstCodes = readFileSync(await download.path(), 'utf8');
    await dialog.getByLabel('I have saved my backup codes somewhere safe').check();
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The page is redrawn with the news, and the keyboard is back where it started: on the user menu.
    expect((await focused(page)).name).toMatch(/^User menu/);
    await expectText(page.getByRole('region', { name: 'Two-factor authentication' }), /On since .* Backup codes left: 10\./);

    // The same place now manages it: new backup codes (the old ones die) ...
    await openTwoFactorModal(page);
    await dialog.getByRole('button', { name: 'Generate new backup codes' }).click();
    await dialog.getByLabel('Authentication code').fill(await authenticator.nextCode());
    await dialog.getByRole('button', { name: 'Generate new codes' }).click();
    await dialog.getByRole('heading', { name: 'Your new backup codes' }).waitFor();
    const newCodes = (await dialog.getByRole('list', { name: 'Backup codes' }).locator('li').allInnerTexts()).map((code) => code.trim());
    expect(newCodes).toHaveLength(10);
    for (const code of newCodes) expect(firstCodes).not.toContain(code);
    await dialog.getByLabel('I have saved my backup codes somewhere safe').check();
    await capture(page, '14-new-backup-codes');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });

    // ... and turning it off, proven by a code.
    await openTwoFactorModal(page);
    await dialog.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
    await dialog.getByLabel('Authentication code').fill(await authenticator.nextCode());
    await dialog.getByRole('button', { name: 'Turn off' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).waitFor();
    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } });
    expect(login.body.status).toBe('SIGNED_IN');
  });

  it('closes the modal with Escape and gives the focus back to the user menu', async () => {
    const email = uniqueEmail('escape');
    await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } });
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await submitPassword(page, email, password);
    await openTwoFactorModal(page);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect((await focused(page)).name).toMatch(/^User menu/);
  });
});

describe('the user menu under a required mode', () => {
  it('offers new backup codes but not turning 2FA off', async () => {
    const app = await createTestApp({ name: 'Vault Portal', plan: 'enterprise', mode: 'required' });
    const user = await signUpAndEnroll(app);
    const authenticator = new AuthenticatorApp(user.secret, user.confirmedStep);
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await submitPassword(page, user.email, password);
    await page.getByLabel('Authentication code').fill(await authenticator.nextCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: `Welcome, ${user.email}` }).waitFor();

    await openTwoFactorModal(page);
    const dialog = page.getByRole('dialog', { name: 'Two-factor authentication' });
    await expectText(dialog, /Vault Portal requires two-factor authentication, so it cannot be turned off\./);
    expect(await dialog.getByRole('button', { name: 'Turn off two-factor authentication' }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Generate new backup codes' }).waitFor();
    await capture(page, '15-two-factor-modal-required');
  });
});
