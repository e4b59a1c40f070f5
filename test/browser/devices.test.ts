/**
 * This browser's device token (kept per app in localStorage, sent with every login), "Trust this browser"
 * at the code prompt, and the devices list of the user menu's Two-factor authentication modal: "This
 * browser", "Remembered until …", Forget, and Sign out everywhere.
 */
import type { Browser, Page } from 'playwright-core';
import { type TestApp, call, createTestApp, password, signUpAndEnroll, uniqueEmail } from '../support/api.js';
import { publishSettings, recordLogins, signInTrusted, storedDeviceToken } from './support/accounts.js';
import { AuthenticatorApp } from './support/authenticator-app.js';
import { type PortalPage, capture, expectText, focused, launchChromium, openPortal, submitPassword } from './support/browser.js';

let browser: Browser;
let portal: PortalPage;
/** Enterprise, optional, trusted browsers skip the code for 7 days. */
let app: TestApp;

beforeAll(async () => {
  browser = await launchChromium();
  app = await createTestApp({ name: 'Acme Portal', plan: 'enterprise', mode: 'optional' });
  await publishSettings(app, { mode: 'optional', rememberDeviceDays: 7 });
});

afterAll(async () => {
  await browser.close();
});

afterEach(async () => {
  expect(portal.problems).toEqual([]);
  await portal.context.close();
});

const datePattern = /\d{1,2} \w{3} \d{4}, \d{2}:\d{2}/;

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^User menu/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

/** User menu › Two-factor authentication › Manage devices. */
async function openDevices(page: Page): Promise<ReturnType<Page['getByRole']>> {
  await page.getByRole('button', { name: /^User menu/ }).click();
  await page.getByRole('menuitem', { name: 'Two-factor authentication' }).click();
  const dialog = page.getByRole('dialog', { name: 'Two-factor authentication' });
  await dialog.getByRole('button', { name: 'Manage devices' }).click();
  await dialog.getByRole('heading', { name: 'Your devices' }).waitFor();
  await dialog.getByRole('button', { name: 'Sign out everywhere' }).waitFor();
  return dialog;
}

describe('the device token and “Trust this browser”', () => {
  it('offers “Trust this browser” at the code prompt, keeps the device token across a reload, and then signs in without a code', async () => {
    const user = await signUpAndEnroll(app, 'ada@example.test');
    const authenticator = new AuthenticatorApp(user.secret, user.confirmedStep);
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    const logins = recordLogins(page);

    await submitPassword(page, user.email, password);
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    // A browser that never signed in to this app has no device token to send.
    expect(logins[0]).not.toHaveProperty('deviceToken');
    const trust = page.getByRole('checkbox', { name: 'Trust this browser for 7 days' });
    expect(await trust.isChecked()).toBe(false);
    expect(await page.locator(`#${await trust.getAttribute('aria-describedby')}`).innerText()).toMatch(/shared or public computer/);
    await page.getByLabel('Authentication code').fill(await authenticator.nextCode());
    await trust.check();
    await capture(page, '21-trust-this-browser');
    await page.getByRole('button', { name: 'Verify' }).click();

    await page.getByRole('heading', { name: `Welcome, ${user.email}` }).waitFor();
    const trusted = await expectText(
      page.locator('.banner', { hasText: 'This browser is trusted' }),
      /This browser is trusted until .*: signing in here will not ask for a code until then\./,
    );
    expect(trusted).toMatch(datePattern);
    await capture(page, '22-browser-trusted');
    const deviceToken = await storedDeviceToken(page, app.appId);
    expect(deviceToken).toBeTruthy();

    // The session is gone with the reload; the device token is not, and the next login sends it.
    await signOut(page);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await storedDeviceToken(page, app.appId)).toBe(deviceToken);
    await submitPassword(page, user.email, password);
    await page.getByRole('heading', { name: `Welcome, ${user.email}` }).waitFor();
    await expectText(page.locator('.banner', { hasText: 'No code was needed' }), /No code was needed: you trusted this browser until /);
    expect(logins[1]).toMatchObject({ email: user.email, deviceToken });
    expect(await storedDeviceToken(page, app.appId)).toBeTruthy();

    // Without the device token the same password meets the code prompt again.
    const stranger = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: user.email, password } });
    expect(stranger.body.status).toBe('TWO_FACTOR_REQUIRED');
  });

  it('keeps the device of every session-issuing answer: sign-up, and confirming a required enrollment', async () => {
    // Sign-up under `off`: SIGNED_IN carries the device; the next login sends its token.
    const open = await createTestApp({ name: 'Open Portal', plan: 'enterprise' });
    portal = await openPortal(browser, open.appId);
    let page = portal.page;
    const logins = recordLogins(page);
    const email = uniqueEmail('signup');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: `Welcome, ${email}` }).waitFor();
    const fromSignUp = await storedDeviceToken(page, open.appId);
    expect(fromSignUp).toBeTruthy();
    await signOut(page);
    await submitPassword(page, email, password);
    await page.getByRole('heading', { name: `Welcome, ${email}` }).waitFor();
    expect(logins[0]).toMatchObject({ email, deviceToken: fromSignUp });
    await portal.context.close();

    // Sign-up under `required`: the session, and the device, come with the confirmation.
    const vault = await createTestApp({ name: 'Vault Portal', plan: 'enterprise', mode: 'required' });
    portal = await openPortal(browser, vault.appId);
    page = portal.page;
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Link authenticator app' }).waitFor();
    expect(await storedDeviceToken(page, vault.appId)).toBeNull();
    const authenticator = new AuthenticatorApp((await page.getByTestId('manual-key').innerText()).replace(/\s+/g, ''));
    await page.getByRole('button', { name: 'Next: confirm linking' }).click();
    await page.getByLabel('Authentication code').fill(await authenticator.nextCode());
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByLabel('I have saved my backup codes somewhere safe').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: `Welcome, ${email}` }).waitFor();
    expect(await storedDeviceToken(page, vault.appId)).toBeTruthy();
    // Each app has its own.
    expect(await storedDeviceToken(page, open.appId)).toBeNull();
  });

  it('offers no “Trust this browser” when the app does not let browsers skip the code', async () => {
    const strict = await createTestApp({ name: 'Strict Portal', plan: 'enterprise', mode: 'optional' });
    const user = await signUpAndEnroll(strict);
    const authenticator = new AuthenticatorApp(user.secret, user.confirmedStep);
    portal = await openPortal(browser, strict.appId);
    const { page } = portal;
    await submitPassword(page, user.email, password);
    await page.getByLabel('Authentication code').fill(await authenticator.nextCode());
    expect(await page.getByRole('checkbox', { name: 'Trust this browser' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: `Welcome, ${user.email}` }).waitFor();
    // The browser still has its device token: it is known, only not trusted.
    expect(await storedDeviceToken(page, strict.appId)).toBeTruthy();
  });
});

describe('the devices list', () => {
  it('shows “This browser” and until when each is remembered, forgets another browser, and signs out everywhere', async () => {
    const user = await signUpAndEnroll(app, 'grace@example.test');
    const authenticator = new AuthenticatorApp(user.secret, user.confirmedStep);
    // Another browser the user trusted before.
    const other = await signInTrusted(app.appId, user.email, authenticator);
    expect(other.device.rememberedUntil).toBeTruthy();

    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await submitPassword(page, user.email, password);
    await page.getByLabel('Authentication code').fill(await authenticator.nextCode());
    await page.getByRole('checkbox', { name: 'Trust this browser' }).check();
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: `Welcome, ${user.email}` }).waitFor();

    // Three: the sign-up's (never trusted), the other trusted browser, and this one.
    const dialog = await openDevices(page);
    const devices = dialog.getByRole('list', { name: 'Devices' }).getByRole('listitem');
    expect(await devices.count()).toBe(3);
    const thisBrowser = devices.filter({ hasText: 'This browser' });
    const otherBrowsers = devices.filter({ hasText: 'Another browser' });
    expect(await otherBrowsers.count()).toBe(2);
    const trustedOther = otherBrowsers.filter({ hasText: 'Remembered until' });
    expect(await trustedOther.count()).toBe(1);
    expect(await thisBrowser.innerText()).toMatch(
      new RegExp(`Remembered until ${datePattern.source}[\\s\\S]*First signed in ${datePattern.source} · Last used ${datePattern.source}`),
    );
    await capture(page, '23-devices');

    // Forget the other trusted browser: it is a stranger again and meets the code prompt.
    await trustedOther.getByRole('button', { name: /^Forget another browser, first signed in .*, remembered until / }).click();
    await expectText(dialog.locator('.banner'), /That browser is forgotten/);
    expect(await devices.count()).toBe(2);
    expect(await trustedOther.count()).toBe(0);
    expect((await focused(page)).inDialog).toBe(true);
    const again = await call('POST', `/v1/apps/${app.appId}/login`, {
      body: { email: user.email, password, deviceToken: other.device.token },
    });
    expect(again.body.status).toBe('TWO_FACTOR_REQUIRED');

    // Sign out everywhere, after a confirmation: every session ends, every browser is forgotten.
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await dialog.getByRole('heading', { name: 'Sign out everywhere?' }).waitFor();
    expect(await focused(page)).toMatchObject({ name: 'Sign out everywhere?', inDialog: true });
    await capture(page, '24-sign-out-everywhere');
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await expectText(page.locator('.banner'), /You signed out everywhere/);
    expect(await storedDeviceToken(page, app.appId)).toBeNull();
    expect((await focused(page)).tag).toBe('input');
    await capture(page, '25-signed-out-everywhere');

    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: other.sessionToken })).status).toBe(401);
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: user.sessionToken })).status).toBe(401);
  });

  it('forgets this browser: the session goes on, the device token is dropped', async () => {
    const user = await signUpAndEnroll(app);
    const authenticator = new AuthenticatorApp(user.secret, user.confirmedStep);
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await submitPassword(page, user.email, password);
    await page.getByLabel('Authentication code').fill(await authenticator.nextCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: `Welcome, ${user.email}` }).waitFor();
    expect(await storedDeviceToken(page, app.appId)).toBeTruthy();

    const dialog = await openDevices(page);
    const thisBrowser = dialog.getByRole('listitem').filter({ hasText: 'This browser' });
    // Not trusted: no "Remembered until".
    expect(await thisBrowser.innerText()).not.toMatch(/Remembered until/);
    await thisBrowser.getByRole('button', { name: /^Forget this browser/ }).click();
    await expectText(dialog.locator('.banner'), /This browser is forgotten: you stay signed in for now/);
    expect(await storedDeviceToken(page, app.appId)).toBeNull();
    await dialog.getByRole('button', { name: 'Back' }).click();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: `Welcome, ${user.email}` }).waitFor();
  });
});
