import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiSession } from './support/api.js';
import { launchBrowser, logIn, screenshot } from './support/browser.js';
import { ADMIN, startServer, type TestServer } from './support/server.js';

// One story of case work, in order: each test starts where the previous one left off.
const CONTACT = '+15555550101';
const ANALYST = { email: 'ana@example.org', name: 'Ana Analyst', password: 'analyst-password-1', role: 'analyst' };
const WAIT = { timeout: 15_000 };

let server: TestServer;
let browser: Browser;
let admin: ApiSession;
let adminContext: BrowserContext;
let console1: Page;
let phone: Page;
let numberId: string | number;
let firstCase = 0;
let secondCase = 0;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = await ApiSession.login(server.url, ADMIN.email, ADMIN.password);
  numberId = (await admin.sandboxNumber()).id;
  adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  console1 = await adminContext.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 20_000);

function conversation(page: Page) {
  return page.getByRole('list', { name: 'Conversation' });
}

function caseRow(page: Page, text: string) {
  return page.getByRole('row').filter({ hasText: text });
}

async function caseNumberOf(page: Page, text: string): Promise<number> {
  const link = caseRow(page, text).getByRole('link', { name: /^#\d+$/ });
  await link.waitFor(WAIT);
  return Number((await link.textContent())?.replace('#', ''));
}

describe('case work in the console', () => {
  it('an administrator logs in and sees the demo survey', async () => {
    await logIn(console1, server.url, ADMIN.email, ADMIN.password);
    await console1.getByRole('heading', { name: 'Cases' }).waitFor(WAIT);
    await console1.getByText('Helpline demo').first().waitFor(WAIT);
    await expect(console1.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).isVisible()).resolves.toBe(true);
  }, 30_000);

  it('a text from the phone simulator creates a case that appears in the list without a reload', async () => {
    await console1.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    // A window of its own, so neither page is a throttled background tab.
    const phoneContext = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      storageState: await adminContext.storageState(),
    });
    phone = await phoneContext.newPage();
    await phone.goto(`${server.url}/#/simulator`);
    await phone.getByLabel('Contact number').fill(CONTACT);
    await phone.getByLabel('Text message').fill('Hello, I need help with my housing benefit');
    await phone.getByRole('button', { name: 'Send text' }).click();
    await phone.getByRole('list', { name: 'Messages on this phone' }).getByText('I need help with my housing benefit').waitFor(WAIT);

    firstCase = await caseNumberOf(console1, CONTACT);
    expect(firstCase).toBeGreaterThan(0);
    await caseRow(console1, CONTACT).getByText('I need help with my housing benefit').waitFor(WAIT);
    expect(await console1.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  }, 30_000);

  it('the lock holder replies; the reply shows its reference and becomes delivered', async () => {
    await caseRow(console1, CONTACT)
      .getByRole('link', { name: `#${firstCase}` })
      .click();
    await console1.getByRole('heading', { name: new RegExp(`Case #${firstCase}`) }).waitFor(WAIT);
    const reply = console1.getByLabel(`Message to ${CONTACT}`);
    expect(await reply.isDisabled()).toBe(true);

    await console1.getByRole('button', { name: 'Lock for editing' }).click();
    await console1.getByText('Locked by you').waitFor(WAIT);
    await reply.fill('We can help. What is your postcode?');
    await console1.getByText(/1 SMS segment \(GSM-7\)/).waitFor(WAIT);
    await console1.getByRole('button', { name: 'Send', exact: true }).click();

    const bubble = conversation(console1).getByRole('listitem').filter({ hasText: 'What is your postcode?' });
    await bubble.waitFor(WAIT);
    await bubble.locator('.reference', { hasText: `#${firstCase}` }).waitFor(WAIT);
    await bubble.getByText('Delivered').waitFor(WAIT);
    expect(await reply.inputValue()).toBe('');

    // The phone receives the text with the reference appended.
    await phone
      .getByRole('list', { name: 'Messages on this phone' })
      .getByText(`We can help. What is your postcode? #${firstCase}`)
      .waitFor(WAIT);
    await screenshot(console1, 'case-screen');
    await screenshot(phone, 'phone-simulator');
  }, 40_000);

  it('a second user sees the lock and cannot send', async () => {
    await admin.expect(201, 'POST', '/users', ANALYST);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await logIn(page, server.url, ANALYST.email, ANALYST.password);
      await page.goto(`${server.url}/#/cases/${firstCase}`);
      await page.getByRole('heading', { name: new RegExp(`Case #${firstCase}`) }).waitFor(WAIT);
      await page.getByText(`Locked by ${admin.session.user.name}`).first().waitFor(WAIT);
      await page.getByText('holds the lock on this case').waitFor(WAIT);
      expect(await page.getByLabel(`Message to ${CONTACT}`).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Lock for editing' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /Move message/ }).count()).toBe(0);

      // The server refuses too, whatever a client shows.
      const analyst = await ApiSession.login(server.url, ANALYST.email, ANALYST.password);
      const refused = await analyst.request<{ error: { code: string } }>('POST', `/records/${firstCase}/notifications`, {
        target: 'conversation',
        text: 'sneaky',
      });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('lock_held');
    } finally {
      await context.close();
    }
  }, 40_000);

  it('closing the case makes the next text from the contact start a new case', async () => {
    await console1.getByRole('button', { name: 'Close case' }).click();
    await console1
      .getByRole('heading', { name: new RegExp(`Case #${firstCase}`) })
      .getByText('Closed')
      .waitFor(WAIT);
    await console1.getByRole('button', { name: 'Reopen case' }).waitFor(WAIT);

    await admin.textIn(numberId, CONTACT, 'Me again, about something else');
    await console1.getByRole('link', { name: 'Cases' }).first().click();
    secondCase = await caseNumberOf(console1, 'Me again, about something else');
    expect(secondCase).not.toBe(firstCase);
    expect(secondCase).toBeGreaterThan(firstCase);

    // The closed case kept its conversation and did not receive the new text.
    const record = await admin.expect<{ status: string; messages: { text: string }[] }>(200, 'GET', `/records/${firstCase}`);
    expect(record.status).toBe('closed');
    expect(record.messages.map((m) => m.text)).not.toContain('Me again, about something else');
  }, 40_000);

  it('moving a message with a comment lands on the new case holding that note', async () => {
    await admin.textIn(numberId, CONTACT, 'And my neighbour is being noisy');
    await caseRow(console1, CONTACT)
      .getByRole('link', { name: `#${secondCase}` })
      .click();
    await console1.getByRole('heading', { name: new RegExp(`Case #${secondCase}`) }).waitFor(WAIT);
    await conversation(console1).getByText('And my neighbour is being noisy').waitFor(WAIT);
    await console1.getByRole('button', { name: 'Lock for editing' }).click();
    await console1.getByText('Locked by you').waitFor(WAIT);

    // Backing out leaves the message where it is.
    await console1.getByRole('button', { name: /Move message “And my neighbour/ }).click();
    const dialog = console1.getByRole('dialog', { name: 'Move message' });
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Back out' }).click();
    await dialog.waitFor({ state: 'hidden', ...WAIT });
    await conversation(console1).getByText('And my neighbour is being noisy').waitFor(WAIT);

    // The keyboard works too: Enter opens the dialog, Escape backs out.
    const moveButton = console1.getByRole('button', { name: /Move message “And my neighbour/ });
    await moveButton.focus();
    await console1.keyboard.press('Enter');
    await dialog.waitFor(WAIT);
    await console1.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', ...WAIT });

    // Clicking the message itself opens the same dialog.
    await conversation(console1).getByText('And my neighbour is being noisy').click();
    await dialog.waitFor(WAIT);
    await dialog.getByLabel('Comment').fill('A separate noise complaint');
    await dialog.getByRole('button', { name: 'Confirm' }).click();

    await console1.waitForURL((url) => /#\/cases\/\d+$/.test(url.hash) && url.hash !== `#/cases/${secondCase}`, WAIT);
    const movedTo = Number(new URL(console1.url()).hash.split('/').pop());
    expect(movedTo).toBeGreaterThan(secondCase);
    await console1.getByRole('heading', { name: new RegExp(`Case #${movedTo}`) }).waitFor(WAIT);
    await conversation(console1).getByText('And my neighbour is being noisy').waitFor(WAIT);
    await console1.getByRole('tab', { name: /Notes/ }).click();
    await console1.getByRole('list', { name: 'Notes' }).getByText('A separate noise complaint').waitFor(WAIT);

    const old = await admin.expect<{ messages: { text: string }[] }>(200, 'GET', `/records/${secondCase}`);
    expect(old.messages.map((m) => m.text)).not.toContain('And my neighbour is being noisy');
  }, 40_000);
});
