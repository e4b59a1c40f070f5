/**
 * Enforcement in the portal (issue 12; docs/enforcement.md): the grace banner of a user without 2FA while
 * their grace period runs (days left, "Set up now"), the admin's "Require 2FA for" switches and grace period
 * in Settings (Enterprise; a Business app is told why not), the admin's 2FA report with its CSV download
 * (every part, X-Next-Cursor followed), and the users table's All / Enrolled / Pending filter.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { type TestApp, call, createTestApp, password, signUp, signUpAndEnroll } from '../support/api.js';
import { AuthenticatorApp } from './support/authenticator-app.js';
import { type PortalPage, capture, expectText, focused, launchChromium, openPortal, submitPassword } from './support/browser.js';

let browser: Browser;
let portal: PortalPage;

const dayMs = 86_400_000;

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

/** Drafts and publishes `settings` as the app's admin. */
async function enforce(app: TestApp, settings: Record<string, unknown>): Promise<void> {
  const put = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken, body: settings });
  if (put.status !== 200) throw new Error(`settings PUT failed: ${put.text}`);
  const published = await call('POST', `/v1/apps/${app.appId}/publish`, { token: app.adminToken });
  if (published.status !== 200) throw new Error(`publish failed: ${published.text}`);
}

/** The UTC midnight that ends the day `days` days from today (a deadline, docs/enforcement.md). */
function endOfDayIn(days: number): string {
  const today = new Date().toISOString().slice(0, 10);
  return new Date(Date.parse(`${today}T00:00:00.000Z`) + (days + 1) * dayMs).toISOString();
}

/** As the portal writes dates, in the test browser's locale and time zone (en-GB, UTC). */
function portalDate(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
}

async function signIn(page: Page, email: string): Promise<void> {
  await submitPassword(page, email, password);
  await page.getByRole('heading', { name: `Welcome, ${email}` }).waitFor();
}

const graceBanner = (page: Page) => page.getByRole('status').filter({ hasText: 'to set up two-factor authentication' });

describe('the grace banner', () => {
  let app: TestApp;
  let enrollBy: string;

  beforeAll(async () => {
    app = await createTestApp({ name: 'Harbor Portal', plan: 'enterprise' });
    await signUp(app, 'ada@example.test');
    await signUp(app, 'grace@example.test');
    await enforce(app, { mode: 'required', requiredGraceDays: 14 });
    enrollBy = endOfDayIn(14);
  });

  it('shows the days left until the deadline, and "Set up now" links an authenticator app', async () => {
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await signIn(page, 'ada@example.test');
    // Published today with 14 days of grace: the deadline ends the 14th day from today, 14 days and part of today away.
    const banner = graceBanner(page);
    await expectText(banner, /^15 days left to set up two-factor authentication\./);
    expect(await banner.innerText()).toContain(`Link an authenticator app before ${portalDate(enrollBy)}`);
    await expectText(
      page.getByRole('region', { name: 'Two-factor authentication' }),
      new RegExp(`Off\\. Harbor Portal requires it of you: set it up before ${portalDate(enrollBy)}\\.`),
    );
    // The grace period lets the user in: the page is the home page, not the forced enrollment.
    expect(await page.getByText('Link an authenticator app to keep using it').count()).toBe(0);
    await capture(page, '33-grace-banner');

    await banner.getByRole('button', { name: 'Set up now' }).click();
    const dialog = page.getByRole('dialog', { name: 'Two-factor authentication' });
    await dialog.getByRole('heading', { name: 'Link authenticator app' }).waitFor();
    const authenticator = new AuthenticatorApp((await dialog.getByTestId('manual-key').innerText()).replace(/\s+/g, ''));
    await dialog.getByRole('button', { name: 'Next: confirm linking' }).click();
    await dialog.getByLabel('Authentication code').fill(await authenticator.nextCode());
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByLabel('I have saved my backup codes somewhere safe').check();
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await dialog.waitFor({ state: 'detached' });

    await expectText(page.getByRole('region', { name: 'Two-factor authentication' }), /^Two-factor authentication\s*On since/);
    expect(await graceBanner(page).count()).toBe(0);
    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: 'ada@example.test', password } });
    expect(login.body.status).toBe('TWO_FACTOR_REQUIRED');
  });

  it('counts a part of a day as a day: 20 hours before the deadline, 1 day is left', async () => {
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await page.clock.setFixedTime(Date.parse(enrollBy) - 20 * 3_600_000);
    await signIn(page, 'grace@example.test');
    await expectText(graceBanner(page), /^1 day left to set up two-factor authentication\./);
  });
});

describe('the admin settings: require 2FA for roles, and the grace period', () => {
  it('drafts a per-role requirement and a grace period, then publishes them', async () => {
    const app = await createTestApp({ name: 'Acme Portal', plan: 'enterprise', mode: 'optional' });
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await signIn(page, app.adminEmail);
    await page.getByRole('button', { name: 'Settings' }).click();
    const admins = page.getByRole('switch', { name: 'Admins' });
    const members = page.getByRole('switch', { name: 'Members' });
    await admins.waitFor();
    expect([await admins.isChecked(), await members.isChecked(), await admins.isEnabled()]).toEqual([false, false, true]);

    await admins.check();
    await expectText(page.locator('.banner', { hasText: 'Unpublished changes' }), /Your users still get “Optional”\./);
    expect(await focused(page)).toMatchObject({ tag: 'input' });
    const grace = page.getByLabel('Grace period (days)');
    await grace.fill('91');
    await page.getByRole('button', { name: 'Save grace period' }).click();
    await expectText(page.locator('.enforcement').getByRole('alert').last(), /Enter a whole number of days from 0 to 90\./);
    await grace.fill('14');
    await page.getByRole('button', { name: 'Save grace period' }).click();
    await page.getByLabel('Grace period (days)').and(page.locator(':focus')).waitFor();
    const draft = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });
    expect([draft.body.draft, draft.body.published.requiredForRoles, draft.body.published.requiredGraceDays]).toEqual([
      { mode: 'optional', rememberDeviceDays: 0, requiredGraceDays: 14, requiredForRoles: ['admin'] },
      [],
      0,
    ]);
    await page.evaluate('window.scrollTo(0, 0)');
    await capture(page, '34-admin-settings-roles-and-grace');

    await page.getByRole('button', { name: 'Publish' }).click();
    await expectText(
      page.locator('.banner', { hasText: 'Published version' }),
      /two-factor authentication is now Optional \(required for admins, 14 days to set it up\) for your users, and browsers are not remembered\./,
    );
    const published = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });
    expect(published.body.published).toMatchObject({ mode: 'optional', requiredForRoles: ['admin'], requiredGraceDays: 14 });
    // The admin is one of the admins: their own grace period starts now, and the page says so at once.
    await expectText(graceBanner(page), /^15 days left/);

    // Under Required every role is required: the switches say so and cannot change it.
    await page.getByRole('radio', { name: 'Required' }).check();
    await expectText(
      page.locator('.banner', { hasText: 'Unpublished changes' }),
      /“Optional” \(required for admins, 14 days to set it up\)/,
    );
    expect([await admins.isChecked(), await members.isChecked(), await members.isDisabled()]).toEqual([true, true, true]);
  });

  it('is not available on the Business plan, and says why', async () => {
    const app = await createTestApp({ name: 'Bistro Portal', plan: 'business', mode: 'optional' });
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await signIn(page, app.adminEmail);
    await page.getByRole('button', { name: 'Settings' }).click();
    const admins = page.getByRole('switch', { name: /Admins/ });
    await admins.waitFor();
    expect(await admins.isDisabled()).toBe(true);
    expect(await page.getByLabel(/Grace period \(days\)/).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save grace period' }).count()).toBe(0);
    await expectText(
      page.locator(`#${await admins.getAttribute('aria-describedby')}`),
      /Your Business plan cannot require two-factor authentication of some roles only.*needs? the Enterprise plan\./,
    );
  });
});

describe('the 2FA report and the users filter', () => {
  let app: TestApp;
  let enrolledEmail: string;
  const pendingEmails = ['lin@example.test', 'noor@example.test'];
  const memberDeadline = endOfDayIn(7);

  beforeAll(async () => {
    app = await createTestApp({ name: 'Orbit Portal', plan: 'enterprise', mode: 'optional' });
    for (const email of pendingEmails) await signUp(app, email);
    enrolledEmail = (await signUpAndEnroll(app, 'mae@example.test')).email;
    await enforce(app, { mode: 'optional', requiredForRoles: ['member'], requiredGraceDays: 7 });
  });

  async function openReport(page: Page): Promise<void> {
    await signIn(page, app.adminEmail);
    await page.getByRole('button', { name: '2FA report' }).click();
    await page.getByRole('heading', { name: 'By role' }).waitFor();
  }

  /** The visible cells of a row of the by-role table. */
  async function roleRow(page: Page, role: string): Promise<string[]> {
    return (
      await page
        .getByRole('row', { name: new RegExp(`^${role}`) })
        .locator('th, td')
        .allInnerTexts()
    ).map((cell) => cell.trim());
  }

  it('counts enrolled, pending (with the nearest deadline) and overdue users, in total and per role', async () => {
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await openReport(page);
    const totals = page.getByRole('region', { name: 'All users' });
    await expectText(totals, /Users\s*4\s*Enrolled\s*1\s*Pending\s*2\s*Nearest deadline/);
    expect(await totals.innerText()).toContain(`Nearest deadline ${portalDate(memberDeadline)}`);
    expect(await totals.innerText()).toMatch(/Overdue\s*0/);
    expect(await roleRow(page, 'Admins')).toEqual(['Admins', 'No', '1', '0', '0', '–', '0']);
    const members = await roleRow(page, 'Members');
    expect(members[1]).toMatch(/^Yes, since /);
    expect([members[0], ...members.slice(2)]).toEqual(['Members', '3', '1', '2', portalDate(memberDeadline), '0']);
    await capture(page, '35-two-factor-report');

    // Without a grace period the members without 2FA are overdue: they set it up at their next sign-in.
    await enforce(app, { mode: 'optional', requiredForRoles: ['member'], requiredGraceDays: 0 });
    await page.getByRole('button', { name: 'Users' }).click();
    await page.getByRole('button', { name: '2FA report' }).click();
    await page.getByRole('heading', { name: 'By role' }).waitFor();
    expect((await roleRow(page, 'Members')).slice(2)).toEqual(['3', '1', '0', '–', '2']);
    await expectText(page.getByRole('region', { name: 'All users' }), /Pending\s*0\s*Overdue\s*2/);
    await enforce(app, { mode: 'optional', requiredForRoles: ['member'], requiredGraceDays: 7 });
  });

  it('downloads every user as one CSV file, following X-Next-Cursor from part to part', async () => {
    portal = await openPortal(browser, app.appId);
    const { page, requests } = portal;
    // Parts of 2 rows instead of the portal's 1,000, so that 4 users take several parts.
    await page.route(
      (url) => url.pathname.endsWith('/users.csv'),
      async (route) => {
        const url = new URL(route.request().url());
        url.searchParams.set('limit', '2');
        await route.continue({ url: url.toString() });
      },
    );
    await openReport(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`users-${app.appId}.csv`);
    const lines = readFileSync(await download.path(), 'utf8').split('\r\n');

    expect(requests.filter((request) => request.endsWith('/users.csv')).length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toBe('id,email,role,createdAt,twoFactorStatus,twoFactorEnrolledAt,enrollBy');
    expect(lines.filter((line) => line.startsWith('id,'))).toHaveLength(1);
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(1, -1).map((line) => line.split(','));
    const byEmail = new Map(rows.map((cells) => [cells[1]!.replace(/"/g, ''), cells]));
    expect([...byEmail.keys()].sort()).toEqual([app.adminEmail, enrolledEmail, ...pendingEmails].sort());
    expect(rows).toHaveLength(4);
    for (const email of pendingEmails)
      expect(
        byEmail
          .get(email)!
          .slice(2)
          .filter((_, index) => index !== 1),
      ).toEqual(['member', 'pending', '', memberDeadline]);
    expect(byEmail.get(enrolledEmail)!.slice(4)).toEqual(['enrolled', expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), '']);
    expect(
      byEmail
        .get(app.adminEmail)!
        .slice(2)
        .filter((_, index) => index !== 1),
    ).toEqual(['admin', 'not_required', '', '']);
  });

  it('filters the users table: All, Enrolled, Pending', async () => {
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await signIn(page, app.adminEmail);
    await page.getByRole('button', { name: 'Users' }).click();
    const emails = async () => (await page.getByRole('row').locator('th[scope=row]').allInnerTexts()).map((email) => email.trim()).sort();
    await page.getByRole('columnheader', { name: '2FA setup Complete' }).waitFor();
    expect(await page.getByRole('radio', { name: 'All' }).isChecked()).toBe(true);
    expect(await emails()).toEqual([app.adminEmail, enrolledEmail, ...pendingEmails].sort());

    await page.getByRole('radio', { name: 'Enrolled' }).check();
    await expectText(page.getByRole('table'), /^(?![\s\S]*lin@example)[\s\S]*mae@example\.test/);
    expect(await emails()).toEqual([enrolledEmail]);

    await page.getByRole('radio', { name: 'Pending' }).check();
    await expectText(page.getByRole('table'), /lin@example\.test/);
    // Pending: everyone without 2FA yet; those it is required of show their deadline.
    expect(await emails()).toEqual([app.adminEmail, ...pendingEmails].sort());
    for (const email of pendingEmails)
      await expectText(page.getByRole('row', { name: new RegExp(email) }), new RegExp(`No\\s*due by ${portalDate(memberDeadline)}`));
    expect(await page.getByRole('radio', { name: 'Pending' }).isChecked()).toBe(true);
    expect(await focused(page)).toMatchObject({ tag: 'input' });
    await capture(page, '36-users-filter-pending');
  });
});
