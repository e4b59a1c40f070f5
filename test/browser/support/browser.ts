import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';
import { apiUrl } from '../../support/api.js';

/** Debian's Chromium (`apt-get install chromium`); the tests never download a browser. */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Where `capture` saves screens: docs/screenshots/ (the README's pictures) only when asked to with
 * `UPDATE_SCREENSHOTS=1` (`npm run screenshots`), so that running the tests leaves the tracked files alone.
 */
const screenshotsDirectory =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/screenshots', import.meta.url))
    : join(tmpdir(), 'two-factor-portal-screenshots');

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface PortalPage {
  context: BrowserContext;
  page: Page;
  /** Every request the page made, as `METHOD path` (same origin) or the full URL (anything else). */
  requests: string[];
  /** Console errors and Content-Security-Policy refusals the page reported. */
  problems: string[];
}

/** A fresh browser context (no shared session) on the portal of `appId`, with clipboard access for "Copy key". */
export async function openPortal(browser: Browser, appId?: string): Promise<PortalPage> {
  const origin = new URL(apiUrl()).origin;
  const context = await browser.newContext({
    viewport: { width: 1100, height: 760 },
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    requests.push(url.origin === origin ? `${request.method()} ${url.pathname}` : request.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !/the server responded with a status of (401|403|409|429)/.test(message.text()))
      problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${origin}/${appId ? `?app=${encodeURIComponent(appId)}` : ''}`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  return { context, page, requests, problems };
}

/**
 * Checks the page with axe-core (WCAG 2.1 A and AA rules) and saves it as <name>.png in screenshotsDirectory.
 * axe is evaluated through the DevTools protocol, so the portal's CSP stays as strict as in use.
 */
export async function capture(page: Page, name: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate<string[]>(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((result) => result.violations.map((violation) => violation.id + ': ' + violation.help + ' (' + violation.nodes.map((node) => node.target.join(' ')).join(', ') + ')'))`,
  );
  expect({ screen: name, violations }).toEqual({ screen: name, violations: [] });
  mkdirSync(screenshotsDirectory, { recursive: true });
  await page.screenshot({ path: join(screenshotsDirectory, `${name}.png`), fullPage: true });
}

/** Waits until `locator`'s text matches `pattern` (the page updates after the API answers). */
export async function expectText(locator: Locator, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    try {
      text = (await locator.textContent({ timeout: 1_000 })) ?? '';
    } catch (error) {
      // Not there yet is worth waiting for; a locator that matches several elements is a test bug.
      if (/strict mode violation/.test((error as Error).message)) throw error;
      text = '';
    }
    if (pattern.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected text matching ${pattern}, got ${JSON.stringify(text)}`);
}

/** The accessible role and name of the element that has the keyboard focus. */
export async function focused(page: Page): Promise<{ tag: string; name: string; inDialog: boolean }> {
  return await page.evaluate<{ tag: string; name: string; inDialog: boolean }>(
    `(() => { const element = document.activeElement; return { tag: element ? element.tagName.toLowerCase() : '', name: element ? (element.getAttribute('aria-label') || element.textContent || '').trim() : '', inDialog: Boolean(element && element.closest('[role=dialog]')) }; })()`,
  );
}

export async function clipboardText(page: Page): Promise<string> {
  return await page.evaluate<string>('navigator.clipboard.readText()');
}

/** Signs in through the sign-in form (password step only). */
export async function submitPassword(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
