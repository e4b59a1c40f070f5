/**
 * Admin settings › Two-Factor Authentication › "Remember devices for (days)": part of the draft, with the
 * unpublished-changes banner and Publish; 0 to 30; Business and Enterprise plans only (a lower plan is
 * told why).
 */
import type { Browser, Page } from 'playwright-core';
import { type TestApp, call, createTestApp, password } from '../support/api.js';
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

async function openSettings(page: Page, app: TestApp): Promise<void> {
  await submitPassword(page, app.adminEmail, password);
  await page.getByRole('heading', { name: `Welcome, ${app.adminEmail}` }).waitFor();
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Remember devices' }).waitFor();
}

describe('remember devices in the admin settings', () => {
  it('drafts the number of days, refuses one out of range, and publishes it', async () => {
    const app = await createTestApp({ name: 'Acme Portal', plan: 'enterprise', mode: 'optional' });
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await openSettings(page, app);
    const days = page.getByLabel('Remember devices for (days)');
    expect(await days.inputValue()).toBe('0');
    expect(await page.locator(`#${(await days.getAttribute('aria-describedby'))!.split(' ')[0]}`).innerText()).toMatch(
      /0 to 30; 0 turns it off\./,
    );

    await days.fill('31');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expectText(page.locator('.remember-devices').getByRole('alert'), /Enter a whole number of days from 0 to 30\./);
    expect(await days.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('Unpublished changes').count()).toBe(0);

    await days.fill('7');
    await days.press('Enter');
    await expectText(
      page.locator('.banner', { hasText: 'Unpublished changes' }),
      /Your users still get “Optional”, and browsers are not remembered\./,
    );
    expect(await page.getByLabel('Remember devices for (days)').inputValue()).toBe('7');
    expect(await focused(page)).toMatchObject({ tag: 'input' });
    const draft = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });
    expect([draft.body.draft.rememberDeviceDays, draft.body.published.rememberDeviceDays, draft.body.unpublishedChanges]).toEqual([
      7,
      0,
      true,
    ]);
    // The field sits low on the page: scroll back up, so the full-page picture shows the sidebar from the top.
    await page.evaluate('window.scrollTo(0, 0)');
    await capture(page, '31-admin-settings-remember-devices');

    await page.getByRole('button', { name: 'Publish' }).click();
    await expectText(
      page.locator('.banner', { hasText: 'Published version' }),
      /two-factor authentication is now Optional for your users, and trusted browsers skip the code for 7 days\./,
    );
    expect(await page.getByText('Unpublished changes').count()).toBe(0);
    const published = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });
    expect([published.body.published.rememberDeviceDays, published.body.unpublishedChanges]).toEqual([7, false]);
  });

  it('is not available on the Pro plan, and says why', async () => {
    const app = await createTestApp({ name: 'Pro Portal', plan: 'pro' });
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await openSettings(page, app);
    const days = page.getByLabel(/Remember devices for \(days\)/);
    expect(await days.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
    const description = (
      await Promise.all((await days.getAttribute('aria-describedby'))!.split(' ').map((id) => page.locator(`#${id}`).innerText()))
    ).join(' ');
    expect(description).toMatch(/Your Pro plan cannot remember devices.*needs the Business or Enterprise plan\./);
    await capture(page, '32-remember-devices-needs-business');
  });
});
