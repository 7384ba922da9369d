import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ApiSession } from './support/api.js';
import { launchBrowser, logIn } from './support/browser.js';
import { ADMIN, startServer, type TestServer } from './support/server.js';

// The console works under its own Content-Security-Policy, and answers carry the headers
// docs/security.md promises.
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it('the console breaks none of its Content-Security-Policy while a worker logs in and opens a case', async () => {
  const admin = await ApiSession.login(server.url, ADMIN.email, ADMIN.password);
  const number = await admin.sandboxNumber();
  await admin.textIn(number.id, '+447700900321', 'Hello from the policy test');
  const page = await browser.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(`Content-Security-Policy: ${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  await logIn(page, server.url, ADMIN.email, ADMIN.password);
  await page.getByText('Hello from the policy test').first().click({ timeout: 15_000 });
  await page.getByText('Hello from the policy test').last().waitFor();
  // The stylesheet was allowed: the body has the console's margin and font, not the browser's.
  const body = await page.evaluate(() => ({
    margin: getComputedStyle(document.body).margin,
    font: getComputedStyle(document.documentElement).fontFamily,
  }));
  expect(body.margin).toBe('0px');
  expect(body.font).toContain('system-ui');
  expect(violations).toEqual([]);
  await page.close();
});

it('the console may not be framed by another site, and API answers are never cached', async () => {
  const shell = await fetch(`${server.url}/`);
  const policy = shell.headers.get('content-security-policy') ?? '';
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toContain("script-src 'self'");
  expect(shell.headers.get('x-frame-options')).toBe('DENY');
  expect(shell.headers.get('x-content-type-options')).toBe('nosniff');

  const api = await fetch(`${server.url}/api/v1/session`);
  expect(api.status).toBe(401);
  expect(api.headers.get('cache-control')).toBe('no-store');
});
