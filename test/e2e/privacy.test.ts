import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { axeViolations } from './support/axe.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { type TestServer } from './support/server.js';

// Privacy in the console (DESIGN.md §9): a survey's retention as an admin sets and runs it, a
// redacted case as it then reads, an erasure with its confirmation, the privacy audit trail,
// and a person's export as a download. A case is made old by moving its closing time in the
// server's SQLite file rather than by waiting.
const WAIT = { timeout: 15_000 };
const DAY = 24 * 60 * 60_000;
const KEPT = '+15555550181';
const ERASED = '+15555550182';
const EXPORTED = '+15555550183';

let test: ConsoleTest | undefined;
let server: TestServer;
let admin: ApiSession;
let page: Page;
let db: SqliteDatabase.Database;
let numberId = '';
let surveyId = '';

interface CaseRead {
  caseNumber: number;
  contact: string | null;
  redactedAt: string | null;
  messages: { text: string }[];
}

/** The newest case of `contact` once its message is stored, as the API reads it. */
async function caseOf(contact: string): Promise<CaseRead> {
  let found: { caseNumber: number } | undefined;
  await expect
    .poll(async () => {
      const list = await admin.expect<{ items: { caseNumber: number }[] }>(
        200,
        'GET',
        `/surveys/${surveyId}/records?status=all&contact=${encodeURIComponent(contact)}`,
      );
      found = list.items[0];
      return found !== undefined;
    }, WAIT)
    .toBe(true);
  return readCase(found!.caseNumber);
}

/** A case by its number: a redacted case has no contact to find it by. */
const readCase = (caseNumber: number) => admin.expect<CaseRead>(200, 'GET', `/records/${caseNumber}`);

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

beforeAll(async () => {
  ({ server, admin } = test = await startConsoleTest());
  const number = await admin.sandboxNumber();
  numberId = String(number.id);
  surveyId = String(number.surveyId);
  db = new SqliteDatabase(join(server.dataDir, 'e2e.db'));
  db.pragma('busy_timeout = 5000');
  page = await openConsole(test);
}, 90_000);

afterAll(async () => {
  db?.close();
  await stopConsoleTest(test);
}, 20_000);

describe('privacy in the console', () => {
  it('an admin sets retention, counts what would go, runs it, and the redacted case keeps only its outline', async () => {
    await admin.textIn(numberId, KEPT, 'My neighbour shouts at his children every night');
    const before = await caseOf(KEPT);
    await admin.expect(200, 'POST', `/records/${before.caseNumber}/lock`);
    await admin.expect(200, 'POST', `/records/${before.caseNumber}/close`);
    const messages = plural(before.messages.length, 'message', 'messages');

    await page.goto(`${server.url}/#/admin/surveys/${surveyId}/time-rules`);
    const form = page.getByRole('form', { name: 'Retention' });
    await form.waitFor(WAIT);
    // Off: nothing to run yet.
    expect(await form.getByRole('button', { name: 'Run now' }).isDisabled()).toBe(true);
    await form.getByLabel('Redact closed cases after a number of days').check();
    const days = form.getByLabel('Redact closed cases after (days)');
    await days.fill('0');
    await form.getByText('0 days means every closed case').waitFor(WAIT);
    expect(await axeViolations(page, 'form[aria-label="Retention"]')).toEqual([]);
    await days.fill('30');
    expect(await form.getByText('0 days means every closed case').count()).toBe(0);
    await form.getByRole('button', { name: 'Save retention' }).click();
    await form.getByRole('status').filter({ hasText: 'Retention saved.' }).waitFor(WAIT);
    expect(await admin.expect<{ retention: unknown }>(200, 'GET', `/surveys/${surveyId}`)).toMatchObject({
      retention: { closedCaseDays: 30 },
    });

    // Saving books a run at once; it finds nothing closed 30 days ago. Then the case is made 40 days closed.
    await expect
      .poll(async () => (await admin.expect<{ lastRun: unknown }>(200, 'GET', `/surveys/${surveyId}/retention`)).lastRun, WAIT)
      .toMatchObject({ cases: 0 });
    db.prepare('UPDATE records SET closed_at = ? WHERE case_number = ?').run(Date.now() - 40 * DAY, before.caseNumber);
    await page.reload();
    await form.getByText(/Last run: .+, 0 cases, 0 messages and 0 media items redacted/).waitFor(WAIT);
    await form.getByText('Deletions at the providers: 0 pending, 0 failed').waitFor(WAIT);

    await form.getByRole('button', { name: 'Count what would go' }).click();
    await form.getByText(`A run now would redact 1 case, ${messages} and 0 media items.`).waitFor(WAIT);
    expect((await readCase(before.caseNumber)).redactedAt).toBeNull();

    await form.getByRole('button', { name: 'Run now' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run retention now?' });
    await dialog.getByText('closed more than 30 days ago').waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Redact now' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: `Retention ran: 1 case, ${messages} and 0 media items redacted.` })
      .waitFor(WAIT);
    const after = await readCase(before.caseNumber);
    expect(after).toMatchObject({ contact: null, redactedAt: expect.any(String) as string });

    await page.goto(`${server.url}/#/cases/${before.caseNumber}`);
    await page.getByRole('heading', { name: new RegExp(`^Case #${before.caseNumber}\\b`), level: 1 }).waitFor(WAIT);
    await page
      .getByTestId('redacted-notice')
      .getByText(/^Redacted on .+ by retention or erasure; only its number, times, status and message count are kept\.$/)
      .waitFor(WAIT);
    const bubbles = page.getByRole('list', { name: 'Conversation' }).getByRole('listitem');
    await expect.poll(() => bubbles.count(), WAIT).toBe(before.messages.length);
    expect(await bubbles.filter({ hasText: 'Removed' }).count()).toBe(before.messages.length);
    expect(await page.getByText('My neighbour shouts').count()).toBe(0);
    expect(await page.locator('.case-facts').innerText()).toContain('Contact —');
    expect(await axeViolations(page, '.case-page')).toEqual([]);

    // In the list of closed cases, the case shows no contact and no text, and the list still draws.
    await page.goto(`${server.url}/#/surveys/${surveyId}/cases`);
    await page.getByRole('search', { name: 'Filter cases' }).getByText('Closed', { exact: true }).click();
    const row = page.locator('tr.case-row').filter({ has: page.getByRole('link', { name: `#${before.caseNumber}`, exact: true }) });
    await row.waitFor(WAIT);
    expect(await row.locator('td[data-label="Contact"]').innerText()).toBe('—');
    expect(await row.locator('td[data-label="Last message"]').innerText()).toContain('Removed');
  }, 60_000);

  it('an admin erases a person after typing the number twice, and the privacy trail shows who did what', async () => {
    await admin.textIn(numberId, ERASED, 'Please forget everything I told you');
    const before = await caseOf(ERASED);
    const messages = plural(before.messages.length, 'message', 'messages');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Privacy' }).click();
    await page.getByRole('heading', { name: 'Privacy', level: 1 }).waitFor(WAIT);
    const form = page.getByRole('form', { name: 'Erase a person' });
    await form.getByLabel('Phone number').fill('+1 555 555 0182');
    await form.getByRole('button', { name: 'Erase…' }).click();
    await form.getByText('in every survey is removed for good').waitFor(WAIT);
    const confirm = form.getByLabel('Type the number again to confirm');
    const erase = form.getByRole('button', { name: 'Erase for good' });
    await confirm.fill('+15555550183');
    expect(await erase.isDisabled()).toBe(true);
    expect(await axeViolations(page, 'main')).toEqual([]);
    expect((await readCase(before.caseNumber)).redactedAt).toBeNull();
    await confirm.fill(ERASED);
    await erase.click();
    await form
      .getByRole('status')
      .filter({ hasText: `Erased: 1 case, ${messages} and 0 media items.` })
      .waitFor(WAIT);
    // The number does not stay on the screen once its data is gone.
    expect(await form.getByLabel('Phone number').inputValue()).toBe('');
    expect(await readCase(before.caseNumber)).toMatchObject({ contact: null, redactedAt: expect.any(String) as string });

    const trail = page.locator('table.privacy-audit tbody tr');
    const erasure = trail.filter({ hasText: 'Erasure' });
    await erasure.first().waitFor(WAIT);
    // Newest first: the erasure heads the trail, under the admin's name, for every survey.
    expect(await trail.first().innerText()).toContain('Erasure');
    expect(await erasure.first().locator('td[data-label="Who"]').innerText()).toBe(admin.session.user.name);
    expect(await erasure.first().locator('td[data-label="Survey"]').innerText()).toBe('Every survey');
    // The counts as the erasure answered them, and any the trail keeps besides (opt-outs).
    expect(await erasure.first().locator('td[data-label="What"]').innerText()).toMatch(
      new RegExp(`^1 case, ${messages}(,| and) 0 media items\\b`),
    );
    // The earlier retention: the daily run under no one's name, the admin's dry run and run.
    await trail.filter({ hasText: 'Daily retention' }).first().waitFor(WAIT);
    await trail.filter({ hasText: 'Retention (dry run)' }).first().waitFor(WAIT);
    expect(await page.locator('table.privacy-audit').innerText()).not.toContain('5555550182');

    await page.getByRole('search', { name: 'Filter the privacy audit trail' }).getByLabel('Action').selectOption('erasure');
    await expect.poll(async () => (await trail.allInnerTexts()).every((text) => text.includes('Erasure')), WAIT).toBe(true);
    expect(await trail.count()).toBe(1);
  }, 60_000);

  it("an admin downloads a person's export as a ZIP, and a number that is not one is refused without a download", async () => {
    await admin.textIn(numberId, EXPORTED, 'What do you keep about me?');
    await caseOf(EXPORTED);
    // Loaded afresh: the screen may be open already, with the trail filtered.
    await page.goto(`${server.url}/#/admin/privacy`);
    await page.reload();
    const form = page.getByRole('form', { name: "Export a person's data" });
    await form.waitFor(WAIT);

    let downloads = 0;
    page.on('download', () => (downloads += 1));
    await form.getByLabel('Phone number').fill('not a number');
    await form.getByRole('button', { name: 'Download export' }).click();
    await form
      .getByRole('alert')
      .getByText(/phone number/)
      .waitFor(WAIT);
    expect(downloads).toBe(0);

    await form.getByLabel('Phone number').fill(EXPORTED);
    await form.getByLabel('Survey').selectOption(surveyId);
    const [download] = await Promise.all([
      page.waitForEvent('download', WAIT),
      form.getByRole('button', { name: 'Download export' }).click(),
    ]);
    const name = download.suggestedFilename();
    expect(name).toMatch(/^contact-export-\d{4}-\d{2}-\d{2}\.zip$/);
    const zip = readFileSync(await download.path());
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(zip.includes('contact.json')).toBe(true);
    await form
      .getByRole('status')
      .filter({ hasText: `Downloaded ${name}.` })
      .waitFor(WAIT);

    const exported = page.locator('table.privacy-audit tbody tr').filter({ hasText: 'Export' });
    await exported.first().waitFor(WAIT);
    expect(await exported.first().locator('td[data-label="Who"]').innerText()).toBe(admin.session.user.name);
  }, 40_000);
});
