/**
 * Two security emails as a mail client shows them: the HTML part the local SES stand-in wrote, rendered in
 * Chromium, checked with axe like every portal screen and saved as screenshots (docs/security-emails.md).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { StoredMail } from '../../local/ses-stand-in.js';
import { type TestApp, call, createTestApp, signUpAndEnroll } from '../support/api.js';
import { signIn } from '../support/devices.js';
import { mailTo, mailsTo } from '../support/mail.js';
import { capture, launchChromium } from './support/browser.js';

let browser: Browser;
let app: TestApp;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchChromium();
  app = await createTestApp({ name: 'Bistro Portal', plan: 'business', mode: 'optional' });
});

afterAll(async () => {
  await browser.close();
});

afterEach(async () => {
  await context.close();
});

/** The email's HTML part in a mail-client-sized window, offline: an email must need no network. */
async function render(mail: StoredMail): Promise<Page> {
  context = await browser.newContext({ viewport: { width: 640, height: 560 }, offline: true });
  const page = await context.newPage();
  await page.setContent(mail.html ?? '', { waitUntil: 'load' });
  return page;
}

describe('security emails, rendered', () => {
  it('tells the user 2FA was turned on, naming the app, with no link in it', async () => {
    const user = await signUpAndEnroll(app);
    const mail = await mailTo(user.email, 'two-factor authentication turned on');

    const page = await render(mail);

    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Two-factor authentication is on');
    await expect(page.locator('body').innerText()).resolves.toContain('Bistro Portal');
    expect(await page.locator('a').count()).toBe(0);
    await capture(page, '37-email-two-factor-turned-on');
  });

  it('warns the user when 3 backup codes are left', async () => {
    const user = await signUpAndEnroll(app);
    const signedIn = await signIn(app, user, { backupCode: user.backupCodes[0] });
    expect(signedIn.status).toBe(200);
    for (const backupCode of user.backupCodes.slice(1, 7)) {
      const stepUp = await call('POST', `/v1/apps/${app.appId}/2fa/step-up`, { token: user.sessionToken, body: { backupCode } });
      expect(stepUp.status).toBe(200);
    }
    // Seven emails, written in no set order: the one with 3 left.
    await mailTo(user.email, 'a backup code was used', 7);
    const mail = mailsTo(user.email).find((sent) => (sent.text ?? '').includes('Backup codes left: 3\n'));
    if (!mail) throw new Error('no email with 3 backup codes left');

    const page = await render(mail);

    await expect(page.getByRole('alert').innerText()).resolves.toContain('Only 3 backup codes left');
    await expect(page.locator('body').innerText()).resolves.toMatch(/Backup codes left\s+3\b/);
    expect(await page.locator('a').count()).toBe(0);
    await capture(page, '38-email-backup-codes-running-low');
  });
});
