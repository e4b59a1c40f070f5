/**
 * How `npm start` serves the portal: its own page, script and style under their own CSP, the API's JSON
 * with the API's stricter headers, and a page that talks to nothing but the documented API.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { apiUrl, call } from '../support/api.js';
import { type PortalPage, expectText, launchChromium, openPortal, submitPassword } from './support/browser.js';

const openApi = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, unknown>>;
};

/** `METHOD /path` patterns of every operation of the OpenAPI document. */
const documentedRequests = Object.entries(openApi.paths).flatMap(([path, item]) =>
  Object.keys(item).map((method) => new RegExp(`^${method.toUpperCase()} ${path.replace(/\{\w+\}/g, '[^/]+').replace(/\./g, '\\.')}$`)),
);

describe('the portal site', () => {
  it.each([['/'], ['/settings/sign-in'], ['/assets/portal.js'], ['/assets/portal.css']])(
    'serves %s under the portal’s CSP',
    async (path) => {
      const response = await fetch(`${apiUrl()}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(
        path.endsWith('.js') ? /^text\/javascript/ : path.endsWith('.css') ? /^text\/css/ : /^text\/html/,
      );
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    },
  );

  it('answers a missing asset with 404', async () => {
    expect((await fetch(`${apiUrl()}/assets/nothing.js`)).status).toBe(404);
  });

  it('leaves the API its JSON and its stricter headers', async () => {
    const health = await call('GET', '/v1/health');
    expect(health.body).toEqual({ status: 'ok' });
    expect(health.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    const notFound = await call('GET', '/v1/no-such-route');
    expect([notFound.status, notFound.body.error.code]).toEqual([404, 'not_found']);
    const post = await call('POST', '/', { body: {} });
    expect([post.status, post.body.error.code]).toEqual([404, 'not_found']);
  });
});

describe('the portal page', () => {
  let browser: Browser;
  let portal: PortalPage;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await portal.context.close();
    await browser.close();
  });

  it('talks to nothing but the API routes of the OpenAPI document', async () => {
    portal = await openPortal(browser, 'demo');
    const { page } = portal;
    await submitPassword(page, 'admin@demo.test', process.env.TWOFA_DEMO_ADMIN_PASSWORD!);
    await page.getByRole('heading', { name: 'Welcome, admin@demo.test' }).waitFor();
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('radio', { name: 'Off' }).waitFor();
    await page.getByRole('button', { name: 'Users' }).click();
    await page.getByRole('table').waitFor();
    await page.getByRole('button', { name: /^User menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectText(page.locator('#announcer'), /You have signed out/);

    const apiCalls = portal.requests.filter((request) => request.includes(' /v1/'));
    const others = portal.requests.filter((request) => !request.includes(' /v1/'));
    expect(apiCalls.length).toBeGreaterThanOrEqual(5);
    for (const request of apiCalls) expect(documentedRequests.some((pattern) => pattern.test(request))).toBe(true);
    expect(others.every((request) => /^GET \/(\?.*)?$|^GET \/assets\/[\w.-]+$/.test(request))).toBe(true);
    expect(portal.problems).toEqual([]);
  });
});
