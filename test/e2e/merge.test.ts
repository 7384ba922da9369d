import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';

// A person opened two cases; the worker moves a stray message between them and then merges them (DESIGN.md §7).
const WAIT = { timeout: 15_000 };
const CONTACT = '+15555550177';

interface CaseAnswer {
  caseNumber: number;
  status: string;
  messages: Array<{ id: string; text: string }>;
  notes: Array<{ text: string }>;
}

let test: ConsoleTest | undefined;
let admin: ApiSession;
let page: Page;
let first = 0;
let second = 0;

function conversation() {
  return page.getByRole('list', { name: 'Conversation' });
}

beforeAll(async () => {
  ({ admin } = test = await startConsoleTest());
  const number = await admin.sandboxNumber();
  await admin.textIn(number.id, CONTACT, 'My rent went up again');
  await admin.textIn(number.id, CONTACT, 'Also the boiler is broken');
  await admin.textIn(number.id, CONTACT, 'And the landlord will not answer');
  const cases = await admin.expect<{ items: Array<{ caseNumber: number; contact: string }> }>(
    200,
    'GET',
    `/surveys/${encodeURIComponent(String(number.surveyId))}/records?status=open&contact=${encodeURIComponent(CONTACT)}`,
  );
  first = cases.items[0]!.caseNumber;
  // The boiler is a matter of its own: the API moves it into a second case, as rule 9 does.
  await admin.expect(200, 'POST', `/records/${first}/lock`);
  const record = await admin.expect<CaseAnswer>(200, 'GET', `/records/${first}`);
  const boiler = record.messages.find((m) => m.text.includes('boiler'))!;
  second = (await admin.expect<CaseAnswer>(201, 'POST', `/records/${first}/messages/${boiler.id}/move`, { comment: '' })).caseNumber;
  page = await openConsole(test);
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

describe('merging from the console', () => {
  it("the move dialog offers the person's other open case, and the message joins it", async () => {
    await page.goto(`${test!.server.url}/#/cases/${first}`);
    await page.getByText('Locked by you').waitFor(WAIT);
    await page.getByRole('button', { name: /Move message “And the landlord/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Move message' });
    await dialog.getByRole('radio', { name: /A new case/ }).waitFor(WAIT);
    await dialog.getByRole('radio', { name: new RegExp(`Case #${second}`) }).check();
    await dialog.getByLabel('Comment').fill('Same landlord as the boiler');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: new RegExp(`Case #${second}`), level: 1 }).waitFor(WAIT);
    await conversation().getByText('And the landlord will not answer').waitFor(WAIT);
    const moved = await admin.expect<CaseAnswer>(200, 'GET', `/records/${second}`);
    expect(moved.notes.map((n) => n.text)).toEqual(['Same landlord as the boiler']);
    const left = await admin.expect<CaseAnswer>(200, 'GET', `/records/${first}`);
    expect(left.messages.map((m) => m.text)).toEqual(['My rent went up again']);
  }, 40_000);

  it('a merge from the console: choose the other case, confirm, and land in it with every message', async () => {
    await page.goto(`${test!.server.url}/#/cases/${first}`);
    await page.getByRole('heading', { name: new RegExp(`Case #${first}`), level: 1 }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Merge into…' }).click();
    const dialog = page.getByRole('dialog', { name: `Merge case #${first}` });
    await dialog.getByRole('radio', { name: new RegExp(`Case #${second}`) }).check();
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByText(`Every message and note of case #${first} joins case #${second}`).waitFor(WAIT);
    await dialog.getByRole('button', { name: `Merge into #${second}` }).click();

    await page.getByRole('heading', { name: new RegExp(`Case #${second}`), level: 1 }).waitFor(WAIT);
    for (const text of ['My rent went up again', 'Also the boiler is broken', 'And the landlord will not answer']) {
      await conversation().getByText(text).waitFor(WAIT);
    }
    const merged = await admin.expect<CaseAnswer>(200, 'GET', `/records/${first}`);
    expect(merged.status).toBe('closed');
    expect(merged.notes.map((n) => n.text)).toEqual([`Merged into #${second}`]);
    // Nothing is left to merge into: the closed case offers no merge.
    await page.goto(`${test!.server.url}/#/cases/${first}`);
    await page.getByRole('heading', { name: new RegExp(`Case #${first}`), level: 1 }).waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Merge into…' }).count()).toBe(0);
  }, 40_000);
});
