/**
 * "Unlock" beside "Reset 2FA" in the users table's row menu (right-click, Shift+F10, the "…" button): a
 * confirmation, then a success message, and the locked-out user can sign in again at once. Never on the
 * admin's own account, which the portal says.
 */
import type { Browser, Page } from 'playwright-core';
import { type TestApp, call, createTestApp, password, signUp } from '../support/api.js';
import { type PortalPage, capture, expectText, focused, launchChromium, openPortal, submitPassword } from './support/browser.js';

let browser: Browser;
let portal: PortalPage;
let app: TestApp;

beforeAll(async () => {
  browser = await launchChromium();
  app = await createTestApp({ name: 'Bistro Portal', plan: 'business', mode: 'optional' });
});

afterAll(async () => {
  await browser.close();
});

afterEach(async () => {
  expect(portal.problems).toEqual([]);
  await portal.context.close();
});

async function usersTable(page: Page): Promise<void> {
  await submitPassword(page, app.adminEmail, password);
  await page.getByRole('heading', { name: `Welcome, ${app.adminEmail}` }).waitFor();
  await page.getByRole('button', { name: 'Users' }).click();
  await page.getByRole('table').waitFor();
}

describe('unlocking a user', () => {
  it('unlocks a locked-out user from the row menu, after a confirmation, and says so', async () => {
    const margaret = await signUp(app, 'margaret@example.test');
    for (let attempt = 0; attempt < 10; attempt++)
      await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: margaret.email, password: 'not the password' } });
    const locked = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: margaret.email, password } });
    expect([locked.status, locked.body.error.code]).toEqual([429, 'too_many_attempts']);

    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await usersTable(page);
    const row = page.getByRole('row', { name: /margaret@example\.test/ });
    await row.focus();
    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu', { name: 'Actions for margaret@example.test' });
    await menu.waitFor();
    expect((await menu.getByRole('menuitem').allInnerTexts()).map((item) => item.replace(/\s+/g, ' ').trim())).toEqual([
      'Reset 2FA (not set up)',
      'Unlock',
    ]);
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toMatchObject({ name: 'Unlock' });
    await capture(page, '28-users-unlock-context-menu');
    await page.keyboard.press('Enter');

    const confirmation = page.getByRole('dialog', { name: 'Unlock margaret@example.test?' });
    await confirmation.waitFor();
    await expectText(confirmation, /only do it when you know it was this person who was locked out/);
    await capture(page, '29-users-unlock-confirmation');
    await confirmation.getByRole('button', { name: 'Unlock' }).click();
    await confirmation.waitFor({ state: 'detached' });
    await expectText(
      page.locator('.banner', { hasText: 'is unlocked' }),
      /margaret@example\.test is unlocked: they can try their password and codes again now\./,
    );
    expect((await focused(page)).tag).toBe('tr');
    await capture(page, '30-user-unlocked');

    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: margaret.email, password } });
    expect([login.status, login.body.status]).toEqual([200, 'SIGNED_IN']);
    const audit = await call('GET', `/v1/apps/${app.appId}/audit-events?limit=100`, { token: app.adminToken });
    expect(
      audit.body.events.some(
        (event: { type: string; targetUserId: string }) => event.type === 'user.unlocked' && event.targetUserId === margaret.userId,
      ),
    ).toBe(true);
  });

  it('cancels without unlocking, and refuses the admin’s own account with the service’s reason', async () => {
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await usersTable(page);

    // Right-click, then Cancel: nothing happens, the focus goes back.
    const ownRow = page.getByRole('row', { name: new RegExp(app.adminEmail.replace(/[.+]/g, '\\$&')) });
    await ownRow.locator('td').first().click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Unlock' }).click();
    const confirmation = page.getByRole('dialog', { name: `Unlock ${app.adminEmail}?` });
    await confirmation.getByRole('button', { name: 'Cancel' }).click();
    await confirmation.waitFor({ state: 'detached' });
    expect(await page.locator('.banner').count()).toBe(0);

    // The "…" button, then Unlock on one's own account: 403 forbidden, its message shown in the dialog.
    await ownRow.getByRole('button', { name: `Actions for ${app.adminEmail}` }).click();
    await page.getByRole('menuitem', { name: 'Unlock' }).click();
    await confirmation.getByRole('button', { name: 'Unlock' }).click();
    await expectText(confirmation.getByRole('alert'), /Admins cannot reset or unlock their own account: another admin of the app can\./);
    expect(await confirmation.getByRole('button', { name: 'Unlock' }).isEnabled()).toBe(true);
  });
});
