/**
 * The app admin's screens, signed in as the seeded admin@demo.test of the demo app: Settings › Login &
 * Sign Up › Two-Factor Authentication with its unpublished-changes banner and Publish, a Business app
 * that cannot require 2FA, and the users table with its "2FA setup Complete" column and Reset 2FA
 * (right-click, keyboard, row menu), each with a confirmation.
 */
import type { Browser, Page } from 'playwright-core';
import { type TestApp, call, createTestApp, password, signUpAndEnroll } from '../support/api.js';
import { mailTo } from '../support/mail.js';
import { type PortalPage, capture, expectText, focused, launchChromium, openPortal, submitPassword } from './support/browser.js';

let browser: Browser;
let portal: PortalPage;

const demoAdmin = { email: 'admin@demo.test', password: () => process.env.TWOFA_DEMO_ADMIN_PASSWORD! };

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

async function signInAsAdmin(page: Page, admin: { email: string; password: string }): Promise<void> {
  await submitPassword(page, admin.email, admin.password);
  await page.getByRole('heading', { name: `Welcome, ${admin.email}` }).waitFor();
}

async function demoAdminToken(): Promise<string> {
  const login = await call('POST', '/v1/apps/demo/login', { body: { email: demoAdmin.email, password: demoAdmin.password() } });
  return login.body.session.token;
}

describe('admin settings of the demo app (enterprise)', () => {
  it('opens on the demo app by default, and hides the 2FA column while 2FA is off', async () => {
    portal = await openPortal(browser);
    const { page } = portal;
    await expectText(page.locator('.app-badge'), /^demo$/);
    await signInAsAdmin(page, { email: demoAdmin.email, password: demoAdmin.password() });
    await page.getByRole('button', { name: 'Users' }).click();
    await page.getByRole('table').waitFor();
    const headers = await page.getByRole('columnheader').allInnerTexts();
    expect(headers).toEqual(['Email', 'Role', 'Created', 'Actions']);
  });

  it('offers every mode, shows unpublished changes until Publish, and publishes', async () => {
    portal = await openPortal(browser, 'demo');
    const { page } = portal;
    await signInAsAdmin(page, { email: demoAdmin.email, password: demoAdmin.password() });
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Breadcrumb' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Breadcrumb' }).innerText()).toMatch(
      /Settings\s*›?\s*Login & Sign Up\s*›?\s*Two-Factor Authentication/,
    );
    for (const mode of ['Off', 'Optional', 'Required']) expect(await page.getByRole('radio', { name: mode }).isEnabled()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Off' }).isChecked()).toBe(true);
    expect(await page.getByRole('button', { name: 'Publish' }).count()).toBe(0);

    await page.getByRole('radio', { name: 'Optional' }).check();
    await expectText(page.locator('.banner', { hasText: 'Unpublished changes' }), /Your users still get “Off”/);
    // Only the draft changed: the published mode is still off.
    const before = await call('GET', '/v1/apps/demo/settings/two-factor', { token: await demoAdminToken() });
    expect([before.body.draft.mode, before.body.published.mode, before.body.unpublishedChanges]).toEqual(['optional', 'off', true]);
    await capture(page, '16-admin-settings-unpublished-changes');

    await page.getByRole('button', { name: 'Publish' }).click();
    await expectText(
      page.locator('.banner', { hasText: 'Published version' }),
      /Published version \d+: two-factor authentication is now Optional/,
    );
    expect(await page.getByText('Unpublished changes').count()).toBe(0);
    await capture(page, '17-admin-settings-published');
    const after = await call('GET', '/v1/apps/demo/settings/two-factor', { token: await demoAdminToken() });
    expect([after.body.published.mode, after.body.unpublishedChanges]).toEqual(['optional', false]);
  });
});

describe('admin settings of a Business app', () => {
  it('cannot require 2FA, and says why', async () => {
    const app = await createTestApp({ name: 'Bistro Portal', plan: 'business' });
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await signInAsAdmin(page, { email: app.adminEmail, password });
    await page.getByRole('button', { name: 'Settings' }).click();
    const required = page.getByRole('radio', { name: /Required/ });
    await required.waitFor();
    expect(await required.isDisabled()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Optional' }).isEnabled()).toBe(true);
    expect(await required.getAttribute('aria-describedby')).toBeTruthy();
    await expectText(
      page.locator(`#${await required.getAttribute('aria-describedby')}`),
      /Business plan lets users turn on two-factor authentication but cannot require it/,
    );
    await capture(page, '18-business-plan-cannot-require');
  });
});

describe('admin users table of the demo app', () => {
  const demo = { appId: 'demo' } as TestApp;

  it('shows "2FA setup Complete" once 2FA is published, and resets a user from the right-click menu after confirming', async () => {
    // The previous spec published `optional` on the demo app; make sure of it whatever ran before.
    const token = await demoAdminToken();
    await call('PUT', '/v1/apps/demo/settings/two-factor', { token, body: { mode: 'optional' } });
    await call('POST', '/v1/apps/demo/publish', { token });
    const grace = await signUpAndEnroll(demo, 'grace@example.test');
    await signUpAndEnroll(demo, 'hopper@example.test');
    await call('POST', '/v1/apps/demo/signup', { body: { email: 'katherine@example.test', password } });

    portal = await openPortal(browser, 'demo');
    const { page } = portal;
    await signInAsAdmin(page, { email: demoAdmin.email, password: demoAdmin.password() });
    await page.getByRole('button', { name: 'Users' }).click();
    await page.getByRole('columnheader', { name: '2FA setup Complete' }).waitFor();
    const graceRow = page.getByRole('row', { name: /grace@example\.test/ });
    await expectText(graceRow, /Yes/);
    await expectText(page.getByRole('row', { name: /katherine@example\.test/ }), /No/);

    await graceRow.locator('.two-factor-cell').click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Actions for grace@example.test' });
    await menu.waitFor();
    await capture(page, '19-users-reset-2fa-context-menu');
    await menu.getByRole('menuitem', { name: 'Reset 2FA' }).click();

    const confirmation = page.getByRole('dialog', { name: 'Reset 2FA for grace@example.test?' });
    await confirmation.waitFor();
    await confirmation.getByLabel(/Reason/).fill('lost phone');
    await confirmation.getByRole('checkbox', { name: 'Keep the reason internal' }).check();
    await capture(page, '20-users-reset-2fa-confirmation');
    await confirmation.getByRole('button', { name: 'Reset 2FA' }).click();
    await confirmation.waitFor({ state: 'detached' });
    await expectText(page.locator('.banner', { hasText: '2FA was reset' }), /2FA was reset for grace@example\.test/);
    await expectText(graceRow, /No/);

    // The reset is real: her session is gone and her next sign-in asks for nothing but the password.
    expect((await call('GET', '/v1/apps/demo/me', { token: grace.sessionToken })).status).toBe(401);
    const login = await call('POST', '/v1/apps/demo/login', { body: { email: grace.email, password } });
    expect(login.body.status).toBe('SIGNED_IN');
    const audit = await call('GET', '/v1/apps/demo/audit-events?limit=100', { token });
    expect(
      audit.body.events.some(
        (event: { type: string; targetUserId: string; detail?: { reason?: string } }) =>
          event.type === 'two_factor.reset' && event.targetUserId === grace.userId && event.detail?.reason === 'lost phone',
      ),
    ).toBe(true);
    // Kept internal: the email tells her who reset it, not why.
    const email = await mailTo(grace.email, 'two-factor authentication reset by an administrator');
    expect(email.text).toContain(demoAdmin.email);
    expect(`${email.subject}\n${email.text}\n${email.html}`).not.toContain('lost phone');
  });

  it('reaches Reset 2FA by keyboard (Shift+F10 on a row) and from the row’s visible menu button', async () => {
    portal = await openPortal(browser, 'demo');
    const { page } = portal;
    await signInAsAdmin(page, { email: demoAdmin.email, password: demoAdmin.password() });
    await page.getByRole('button', { name: 'Users' }).click();
    const hopperRow = page.getByRole('row', { name: /hopper@example\.test/ });
    await expectText(hopperRow, /Yes/);

    // Keyboard: focus the row, open its menu, Escape closes the confirmation and gives the focus back.
    await hopperRow.focus();
    await page.keyboard.press('Shift+F10');
    await page.getByRole('menu', { name: 'Actions for hopper@example.test' }).waitFor();
    expect(await focused(page)).toMatchObject({ name: 'Reset 2FA' });
    await page.keyboard.press('Enter');
    const confirmation = page.getByRole('dialog', { name: 'Reset 2FA for hopper@example.test?' });
    await confirmation.waitFor();
    await page.keyboard.press('Escape');
    await confirmation.waitFor({ state: 'detached' });
    expect((await focused(page)).tag).toBe('tr');
    await expectText(hopperRow, /Yes/);

    // The visible row menu, then the confirmation by keyboard.
    await hopperRow.getByRole('button', { name: 'Actions for hopper@example.test' }).click();
    await page.getByRole('menuitem', { name: 'Reset 2FA' }).press('Enter');
    await confirmation.waitFor();
    await confirmation.getByRole('button', { name: 'Reset 2FA' }).focus();
    await page.keyboard.press('Enter');
    await confirmation.waitFor({ state: 'detached' });
    await expectText(hopperRow, /No/);
  });
});
