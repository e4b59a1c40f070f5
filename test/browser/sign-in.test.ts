/**
 * Sign in → the code prompt, with "use a backup code instead"; what a person reads on a wrong code, on
 * lockout (with the wait) and when the backup codes run low. Typed with the keyboard where it matters.
 */
import type { Browser, Page } from 'playwright-core';
import { type EnrolledUser, type TestApp, call, createTestApp, loginChallenge, password, signUpAndEnroll } from '../support/api.js';
import { AuthenticatorApp } from './support/authenticator-app.js';
import { type PortalPage, capture, expectText, focused, launchChromium, openPortal, submitPassword } from './support/browser.js';

let browser: Browser;
let portal: PortalPage;
let app: TestApp;

beforeAll(async () => {
  browser = await launchChromium();
  app = await createTestApp({ name: 'Acme Portal', plan: 'enterprise', mode: 'optional' });
});

afterAll(async () => {
  await browser.close();
});

afterEach(async () => {
  expect(portal.problems).toEqual([]);
  await portal.context.close();
});

async function codePrompt(page: Page, user: EnrolledUser): Promise<void> {
  await submitPassword(page, user.email, password);
  await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
}

describe('sign-in with a second factor', () => {
  it('asks for the code after the password, says how many attempts a wrong code leaves, then signs in', async () => {
    const user = await signUpAndEnroll(app, 'ada@example.test');
    const authenticator = new AuthenticatorApp(user.secret, user.confirmedStep);
    portal = await openPortal(browser, app.appId);
    const { page } = portal;

    // Keyboard only: the email field has the focus, Tab moves on, Enter submits.
    expect((await focused(page)).tag).toBe('input');
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    expect(await page.getByLabel('Authentication code').getAttribute('autocomplete')).toBe('one-time-code');
    await capture(page, '06-sign-in-code-prompt');

    await page.getByLabel('Authentication code').fill(authenticator.wrongCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectText(page.getByRole('alert'), /That code is not valid\. You have 4 attempts left\./);
    await capture(page, '07-wrong-code');

    await page.getByLabel('Authentication code').fill(await authenticator.nextCode());
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Welcome, ${user.email}` }).waitFor();
  });

  it('signs in with a backup code instead and warns when the codes run low', async () => {
    const user = await signUpAndEnroll(app, 'barbara@example.test');
    // Six codes spent elsewhere (through the API), so the next one leaves three.
    for (const backupCode of user.backupCodes.slice(0, 6)) {
      const verified = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
        body: { challengeToken: await loginChallenge(app, user.email), backupCode },
      });
      expect(verified.status).toBe(200);
    }
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await codePrompt(page, user);

    await page.getByRole('button', { name: 'Use a backup code instead' }).click();
    await page.getByRole('heading', { name: 'Use a backup code' }).waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'input' });
    // Typed as people do: upper case, without the hyphen.
    await page.getByLabel('Backup code').fill(user.backupCodes[6]!.toUpperCase().replace('-', ''));
    await capture(page, '08-use-a-backup-code');
    await page.getByRole('button', { name: 'Verify' }).click();

    await page.getByRole('heading', { name: `Welcome, ${user.email}` }).waitFor();
    await expectText(page.getByRole('alert'), /You have only 3 backup codes left/);
    await page.getByRole('button', { name: 'Generate new backup codes' }).waitFor();
    await capture(page, '09-backup-codes-running-low');
  });

  it('locks the second factor after ten wrong codes and says how long to wait', async () => {
    const user = await signUpAndEnroll(app, 'edsger@example.test');
    const authenticator = new AuthenticatorApp(user.secret, user.confirmedStep);
    // Nine wrong codes elsewhere: five kill one challenge, four more on a second one.
    for (const wrongCodes of [5, 4]) {
      const challengeToken = await loginChallenge(app, user.email);
      for (let attempt = 0; attempt < wrongCodes; attempt++) {
        const refused = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
          body: { challengeToken, code: authenticator.wrongCode() },
        });
        expect(refused.body.error.code).toBe('invalid_code');
      }
    }
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await codePrompt(page, user);

    await page.getByLabel('Authentication code').fill(authenticator.wrongCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectText(page.getByRole('alert'), /Too many wrong attempts\. Try again in 1 minute\./);
    await expectText(page.locator('.countdown'), /You can try again in (1 minute|5\d seconds)\./);
    expect(await page.getByRole('button', { name: 'Verify' }).isDisabled()).toBe(true);
    await capture(page, '10-locked-out');

    // The lock is the service's: even the right code is refused until it ends.
    const challengeToken = await loginChallenge(app, user.email);
    const locked = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken, code: await authenticator.nextCode() },
    });
    expect([locked.status, locked.body.error.code]).toEqual([429, 'too_many_attempts']);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('says how long to wait when the password is locked after ten wrong ones', async () => {
    const email = 'margaret@example.test';
    await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } });
    for (let attempt = 0; attempt < 9; attempt++) {
      expect((await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password: 'not the password' } })).body.error.code).toBe(
        'invalid_credentials',
      );
    }
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await submitPassword(page, email, 'still not the password');
    await expectText(page.getByRole('alert'), /Too many wrong attempts\. Try again in 1 minute\./);
    await expectText(page.locator('.countdown'), /You can try again in (1 minute|5\d seconds)\./);
    expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(true);
  });

  it('sends the user back to sign in when the challenge has had too many wrong codes', async () => {
    const user = await signUpAndEnroll(app, 'alan@example.test');
    const authenticator = new AuthenticatorApp(user.secret, user.confirmedStep);
    portal = await openPortal(browser, app.appId);
    const { page } = portal;
    await codePrompt(page, user);
    for (let attempt = 0; attempt < 5; attempt++) {
      await page.getByLabel('Authentication code').fill(authenticator.wrongCode());
      await page.getByRole('button', { name: 'Verify' }).click();
      await expectText(
        page.getByRole('alert'),
        attempt < 4 ? new RegExp(`You have ${4 - attempt} attempts? left`) : /That code is not valid\. No attempts are left\./,
      );
    }
    await page.getByLabel('Authentication code').fill(await authenticator.nextCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectText(page.getByRole('alert'), /This sign-in has expired or had too many wrong codes\. Sign in again\./);
    await page.getByRole('button', { name: 'Sign in again' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });
});
