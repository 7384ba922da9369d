import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { type TestServer } from './support/server.js';

// The case list's paging and filters, and what a case shows as the conversation goes on.
const WAIT = { timeout: 15_000 };
const CASES = 27;
const contactOf = (i: number) => `+1555555${String(200 + i).padStart(4, '0')}`;

let test: ConsoleTest | undefined;
let server: TestServer;
let admin: ApiSession;
let page: Page;
let numberId: string | number;
const caseOf = new Map<string, number>();

beforeAll(async () => {
  ({ server, admin } = test = await startConsoleTest());
  const number = await admin.sandboxNumber();
  numberId = number.id;
  for (let i = 1; i <= CASES; i++) {
    await admin.textIn(numberId, contactOf(i), i === 7 ? 'My zebra crossing is broken' : `Question number ${i}`);
  }
  // Deliveries are asynchronous: wait until every text has made its case.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const list = await admin.expect<{ items: { caseNumber: number; contact: string }[] }>(
      200,
      'GET',
      `/surveys/${encodeURIComponent(String(number.surveyId))}/records?status=all&limit=100`,
    );
    for (const item of list.items) caseOf.set(item.contact, item.caseNumber);
    if (list.items.length >= CASES || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(caseOf.size).toBe(CASES);
  page = await openConsole(test);
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

const rows = () => page.locator('table.case-table tbody tr');

/** Waits until the table answers the current filters and has `count` rows. */
async function expectRows(count: number) {
  await page.locator('table.case-table[aria-busy="false"]').waitFor(WAIT);
  await expect.poll(() => rows().count(), WAIT).toBe(count);
}

describe('the case list', () => {
  it('shows the newest activity first and pages with Load more', async () => {
    await expectRows(25);
    expect(await rows().first().textContent()).toContain(contactOf(CASES));
    await page.getByRole('button', { name: 'Load more' }).click();
    await expectRows(CASES);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    expect(await rows().last().textContent()).toContain(contactOf(1));
  }, 30_000);

  it('filters by contact, by text, by lock holder and by status', async () => {
    await page.getByLabel('Contact', { exact: true }).fill(contactOf(5));
    await expectRows(1);
    await rows().first().getByText('Question number 5').waitFor(WAIT);
    await page.getByLabel('Contact', { exact: true }).fill('');

    await page.getByLabel('Search text').fill('zebra');
    await expectRows(1);
    await rows().first().getByText(contactOf(7)).waitFor(WAIT);
    await page.getByLabel('Search text').fill('');
    await expectRows(25);

    const mine = caseOf.get(contactOf(3))!;
    await admin.expect(200, 'POST', `/records/${mine}/lock`);
    await page.getByText('Mine', { exact: true }).click();
    await expectRows(1);
    await rows().first().getByText('You').waitFor(WAIT);
    await page.getByText('Unassigned', { exact: true }).first().click();
    await expectRows(25);
    expect(await page.getByRole('link', { name: `#${mine}`, exact: true }).count()).toBe(0);
    await page.getByText('Anyone', { exact: true }).click();

    await admin.expect(200, 'POST', `/records/${mine}/close`);
    await page.getByText('Closed', { exact: true }).first().click();
    await expectRows(1);
    await page.getByRole('link', { name: `#${mine}`, exact: true }).waitFor(WAIT);
    await page.getByText('All', { exact: true }).click();
    await expectRows(25);
    await page.getByText('Open', { exact: true }).first().click();
    await expectRows(25);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expectRows(CASES - 1);
  }, 40_000);
});

describe('a case as the conversation goes on', () => {
  it('a new text from the contact appears in the open case without a reload', async () => {
    const contact = contactOf(10);
    await page.goto(`${server.url}/#/cases/${caseOf.get(contact)}`);
    await page.getByRole('list', { name: 'Conversation' }).getByText('Question number 10').waitFor(WAIT);
    await admin.textIn(numberId, contact, 'Are you still there?');
    await page.getByRole('list', { name: 'Conversation' }).getByText('Are you still there?').waitFor(WAIT);
  }, 30_000);

  it('an opted-out contact is explained and cannot be sent to', async () => {
    const contact = contactOf(11);
    const caseNumber = caseOf.get(contact)!;
    await admin.textIn(numberId, contact, 'STOP');
    await page.goto(`${server.url}/#/cases/${caseNumber}`);
    await page.getByRole('list', { name: 'Conversation' }).getByText('STOP', { exact: true }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Lock for editing' }).click();
    await page.getByText('Locked by you').waitFor(WAIT);
    await page.getByText(`${contact} has opted out`).waitFor(WAIT);
    expect(await page.getByLabel(`Message to ${contact}`).isDisabled()).toBe(true);

    const refused = await admin.request<{ error: { code: string } }>('POST', `/records/${caseNumber}/notifications`, {
      target: 'conversation',
      text: 'Are you sure?',
    });
    expect(refused.body.error.code).toBe('opted_out');
  }, 30_000);

  it('answers are read-only until the lock is held, then save', async () => {
    const caseNumber = caseOf.get(contactOf(12))!;
    await page.goto(`${server.url}/#/cases/${caseNumber}`);
    const topic = page.getByLabel('Topic');
    await topic.waitFor(WAIT);
    expect(await topic.getAttribute('readonly')).not.toBeNull();
    await page.getByRole('button', { name: 'Lock for editing' }).click();
    await page.getByText('Locked by you').waitFor(WAIT);
    await topic.fill('Housing');
    await page.getByLabel(/Status/).selectOption('in_progress');
    await page.getByRole('button', { name: 'Save answers' }).click();
    await page.getByText('Saved', { exact: true }).waitFor(WAIT);
    const record = await admin.expect<{ answers: Record<string, unknown> }>(200, 'GET', `/records/${caseNumber}`);
    expect(record.answers).toMatchObject({ topic: 'Housing', status: 'in_progress' });

    await page.getByRole('button', { name: 'Release' }).click();
    await page.getByText('Not locked').waitFor(WAIT);
    expect(await topic.getAttribute('readonly')).not.toBeNull();

    // The side panel's tabs follow the arrow keys.
    await page.getByRole('tab', { name: 'Answers' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: /Notes/ }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('End');
    expect(await page.getByRole('tab', { name: 'History' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('tabpanel').getByText('Answers edited').first().waitFor(WAIT);
    await page
      .getByRole('tabpanel')
      .getByText(/topic — → Housing/)
      .first()
      .waitFor(WAIT);
  }, 30_000);

  it('a long conversation shows its latest messages and loads older ones on request', async () => {
    const contact = contactOf(13);
    for (let i = 1; i <= 102; i++) await admin.textIn(numberId, contact, `Follow-up ${i}`);
    await page.goto(`${server.url}/#/cases/${caseOf.get(contact)}`);
    const conversation = page.getByRole('list', { name: 'Conversation' });
    await conversation.getByText('Follow-up 102', { exact: true }).waitFor(WAIT);
    expect(await conversation.getByText('Question number 13').count()).toBe(0);
    await page.getByRole('button', { name: 'Show older messages' }).click();
    await conversation.getByText('Question number 13').waitFor(WAIT);
    await conversation.getByText('Follow-up 1', { exact: true }).waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Show older messages' }).count()).toBe(0);
    expect(await conversation.getByRole('listitem').count()).toBe(103);
  }, 40_000);
});
