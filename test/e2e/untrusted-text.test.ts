import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ApiSession } from './support/api.js';
import { launchBrowser, logIn } from './support/browser.js';
import { ADMIN, startServer, type TestServer } from './support/server.js';

// Text from the public is untrusted: the console shows it as text and never runs it.
const PAYLOAD = '<img src=x onerror=alert(1)>';
const NOTE_PAYLOAD = '<script>alert(2)</script><b onmouseover=alert(3)>bold?</b>';
const CONTACT = '+15555550199';
const WAIT = { timeout: 15_000 };

let server: TestServer;
let browser: Browser;
let admin: ApiSession;
let page: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = await ApiSession.login(server.url, ADMIN.email, ADMIN.password);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 20_000);

async function noInjectedElements(p: Page) {
  expect(await p.locator('img[src="x"]').count()).toBe(0);
  expect(await p.locator('main script').count()).toBe(0);
  expect(await p.locator('b[onmouseover]').count()).toBe(0);
}

describe('untrusted message text', () => {
  it('a message body with markup shows as text in the list, the case and the simulator, and runs nothing', async () => {
    const number = await admin.sandboxNumber();
    await admin.textIn(number.id, CONTACT, PAYLOAD);
    await logIn(page, server.url, ADMIN.email, ADMIN.password);

    const row = page.getByRole('row').filter({ hasText: CONTACT });
    await row.getByText(PAYLOAD).waitFor(WAIT);
    await noInjectedElements(page);

    await row.getByRole('link', { name: /^#\d+$/ }).click();
    const bubble = page.getByRole('list', { name: 'Conversation' }).getByText(PAYLOAD, { exact: true });
    await bubble.waitFor(WAIT);
    await bubble.hover();
    await noInjectedElements(page);

    await page.getByRole('tab', { name: /Notes/ }).click();
    await page.getByLabel('New note').fill(NOTE_PAYLOAD);
    await page.getByRole('button', { name: 'Add note' }).click();
    const note = page.getByRole('list', { name: 'Notes' }).getByText(NOTE_PAYLOAD, { exact: true });
    await note.waitFor(WAIT);
    await note.hover();
    await noInjectedElements(page);

    await page.goto(`${server.url}/#/simulator?number=${encodeURIComponent(String(number.id))}&contact=${encodeURIComponent(CONTACT)}`);
    await page.getByRole('list', { name: 'Messages on this phone' }).getByText(PAYLOAD, { exact: true }).waitFor(WAIT);
    await noInjectedElements(page);

    await page.waitForTimeout(500);
    expect(dialogs).toEqual([]);
  }, 60_000);

  it('logging out returns to the login screen and the session is gone', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor(WAIT);
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor(WAIT);
    expect(dialogs).toEqual([]);
  }, 30_000);
});
