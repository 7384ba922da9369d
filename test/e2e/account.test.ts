import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ApiSession } from './support/api.js';
import { launchBrowser, logIn, screenshot } from './support/browser.js';
import { ADMIN, startServer, type TestServer } from './support/server.js';

// An analyst looks after their own account: API tokens and password.
const WAIT = { timeout: 15_000 };
const ANALYST = { email: 'ana@example.org', password: 'analyst-password-1' };

let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const admin = await ApiSession.login(server.url, ADMIN.email, ADMIN.password);
  await admin.expect(201, 'POST', '/users', { ...ANALYST, name: 'Ana Analyst', role: 'analyst' });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await logIn(page, server.url, ANALYST.email, ANALYST.password);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 20_000);

describe('my account', () => {
  it('creates an API token shown once, then revokes it', async () => {
    await page.getByRole('link', { name: /My account/ }).click();
    await page.getByRole('heading', { name: 'My account' }).waitFor(WAIT);
    await page.getByText('You have no API tokens.').waitFor(WAIT);
    await page.getByLabel('Name').fill('reporting script');
    await page.getByLabel('Expires').selectOption('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByLabel('New API token').inputValue();
    expect(secret).toMatch(/^cl_/);
    const row = page.getByRole('row').filter({ hasText: 'reporting script' });
    await row.waitFor(WAIT);
    const works = await fetch(`${server.url}/api/v1/surveys`, { headers: { authorization: `Bearer ${secret}` } });
    expect(works.status).toBe(200);
    await screenshot(page, 'my-account');

    await row.getByRole('button', { name: 'Revoke reporting script' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('You have no API tokens.').waitFor(WAIT);
    const refused = await fetch(`${server.url}/api/v1/surveys`, { headers: { authorization: `Bearer ${secret}` } });
    expect(refused.status).toBe(401);
  }, 30_000);

  it('a wrong current password is explained; the right one changes it and keeps me logged in', async () => {
    const other = await ApiSession.login(server.url, ANALYST.email, ANALYST.password);
    await page.getByLabel('Current password').fill('not-my-password');
    await page.getByLabel('New password', { exact: true }).fill('a-new-analyst-password');
    await page.getByLabel('New password again').fill('a-new-analyst-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The current password is wrong').waitFor(WAIT);

    await page.getByLabel('Current password').fill(ANALYST.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText(/Password changed/).waitFor(WAIT);
    expect((await other.request('GET', '/session')).status).toBe(401);
    await page.getByRole('link', { name: 'Cases' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor(WAIT);
    await ApiSession.login(server.url, ANALYST.email, 'a-new-analyst-password');
  }, 30_000);
});
