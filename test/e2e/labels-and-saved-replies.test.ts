import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { type TestServer } from './support/server.js';

// Labels and saved replies (DESIGN.md §7) in the console: an admin keeps the labels, an
// analyst labels cases, filters by them, and answers with a saved reply through `/`.
const WAIT = { timeout: 15_000 };
const ANALYST = { email: 'lena@example.org', name: 'Lena Analyst', password: 'analyst-password-1', role: 'analyst' };
const HOUSING = '+15555550111';
const FOOD = '+15555550112';

let test: ConsoleTest | undefined;
let server: TestServer;
let admin: ApiSession;
let adminPage: Page;
let analystPage: Page;
let numberId: string | number;
let surveyId: string | number;
let housingCase = 0;
let foodCase = 0;

async function newestCaseOf(contact: string): Promise<number> {
  const page = await admin.expect<{ items: { caseNumber: number; contact: string }[] }>(
    200,
    'GET',
    `/surveys/${encodeURIComponent(String(surveyId))}/records?status=open&contact=${encodeURIComponent(contact)}`,
  );
  const found = page.items[0];
  if (!found) throw new Error(`No case of ${contact}`);
  return found.caseNumber;
}

/** WCAG 2 A and AA violations axe finds within `selector`, as `rule: target` lines. */
async function axeViolations(page: Page, selector: string): Promise<string[]> {
  // Evaluated through the debugging protocol: the console's Content-Security-Policy refuses inline scripts.
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async (context) => {
    type Result = { violations: { id: string; nodes: { target: string[] }[] }[] };
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<Result> } }).axe;
    const result = await axe.run(context, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  }, selector);
}

const caseRow = (page: Page, caseNumber: number) =>
  page.getByRole('row').filter({ has: page.getByRole('link', { name: `#${caseNumber}`, exact: true }) });

beforeAll(async () => {
  ({ server, admin } = test = await startConsoleTest());
  const number = await admin.sandboxNumber();
  numberId = number.id;
  surveyId = number.surveyId;
  await admin.expect(201, 'POST', '/users', ANALYST);
  await admin.textIn(numberId, HOUSING, 'My landlord wants me out by Friday');
  await admin.textIn(numberId, FOOD, 'Where is the nearest food bank?');
  housingCase = await newestCaseOf(HOUSING);
  foodCase = await newestCaseOf(FOOD);
  adminPage = await openConsole(test);
  analystPage = await openConsole(test, ANALYST);
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

describe('labels and saved replies in the console', () => {
  it('an admin creates a label, an analyst puts it on a case and filters the list by it', async () => {
    await adminPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Labels' }).click();
    await adminPage.getByRole('heading', { name: 'Labels', level: 1 }).waitFor(WAIT);
    const form = adminPage.getByRole('form', { name: 'Add a label' });
    await form.getByLabel('Name').fill('Eviction');
    await form.getByRole('radio', { name: 'Purple' }).check();
    await form.getByRole('button', { name: 'Add label' }).click();
    await form.getByRole('status').filter({ hasText: 'Label “Eviction” added.' }).waitFor(WAIT);
    const row = adminPage.getByRole('row').filter({ hasText: 'Eviction' });
    await row.getByText('#9467bd').waitFor(WAIT);
    // Drawn in its colour (styles set through the DOM pass the console's CSP), with the text colour that reads better on it (black on this purple: 4.8:1 against white's 4.4:1).
    const chip = row.locator('.label-chip');
    expect(await chip.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color])).toEqual([
      'rgb(148, 103, 189)',
      'rgb(0, 0, 0)',
    ]);
    // A second name differing only in case is refused, and the reason is announced.
    await form.getByLabel('Name').fill('EVICTION');
    await form.getByRole('button', { name: 'Add label' }).click();
    await form.getByRole('alert').filter({ hasText: 'exists already' }).waitFor(WAIT);
    expect(await axeViolations(adminPage, 'main')).toEqual([]);

    // Analysts have no Labels screen, but they label cases, without taking the lock.
    const nav = analystPage.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Saved replies' }).waitFor(WAIT);
    expect(await nav.getByRole('link', { name: 'Labels' }).count()).toBe(0);
    await analystPage.goto(`${server.url}/#/cases/${housingCase}`);
    await analystPage.getByRole('heading', { name: new RegExp(`Case #${housingCase}`) }).waitFor(WAIT);
    const toggle = analystPage.getByRole('button', { name: 'Add labels' });
    await toggle.click();
    const panel = analystPage.getByRole('group', { name: `Labels of case #${housingCase}` });
    await panel.getByRole('checkbox', { name: 'Eviction' }).check();
    const header = analystPage.locator('.case-head');
    await header.getByRole('list', { name: 'Labels' }).getByText('Eviction').waitFor(WAIT);
    await analystPage.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached', ...WAIT });
    await analystPage.getByRole('button', { name: 'Edit labels' }).click();
    await panel.getByRole('checkbox', { name: 'Eviction' }).waitFor(WAIT);
    expect(await axeViolations(analystPage, '.case-labels')).toEqual([]);
    await panel.getByRole('button', { name: 'Done' }).click();
    await panel.waitFor({ state: 'detached', ...WAIT });
    // Focus goes back to the button that opened the panel.
    expect(await analystPage.evaluate(() => document.activeElement?.textContent)).toBe('Edit labels');
    expect((await admin.expect<{ lockedBy: unknown }>(200, 'GET', `/records/${housingCase}`)).lockedBy).toBeNull();

    // The list shows the chip on the case's line; the label filter leaves only that case.
    await analystPage.goto(`${server.url}/#/surveys/${encodeURIComponent(String(surveyId))}/cases`);
    await caseRow(analystPage, housingCase).getByRole('list', { name: 'Labels' }).getByText('Eviction').waitFor(WAIT);
    await caseRow(analystPage, foodCase).waitFor(WAIT);
    expect(await caseRow(analystPage, foodCase).getByRole('list', { name: 'Labels' }).count()).toBe(0);
    await analystPage.getByRole('search', { name: 'Filter cases' }).getByLabel('Label').selectOption({ label: 'Eviction' });
    await caseRow(analystPage, foodCase).waitFor({ state: 'detached', ...WAIT });
    await caseRow(analystPage, housingCase).waitFor(WAIT);

    // The admin's console heard the change: the case shows its label there too.
    await adminPage.goto(`${server.url}/#/surveys/${encodeURIComponent(String(surveyId))}/cases`);
    await caseRow(adminPage, housingCase).getByRole('list', { name: 'Labels' }).getByText('Eviction').waitFor(WAIT);
    const history = await admin.expect<{ items: { action: string; detail: { added?: string[] } }[] }>(
      200,
      'GET',
      `/records/${housingCase}/history`,
    );
    expect(history.items.at(-1)).toMatchObject({ action: 'labels.changed', detail: { added: ['Eviction'] } });
  }, 60_000);

  it('the analyst answers with a saved reply via /', async () => {
    await admin.expect(201, 'POST', '/saved-replies', {
      title: 'Opening hours',
      text: 'Hello {contact}, we are open 9 to 5. Your case number is {case}. {worker}',
    });
    await admin.expect(201, 'POST', '/saved-replies', { title: 'Food bank address', text: 'The food bank is at 12 High Street.' });

    await analystPage.goto(`${server.url}/#/cases/${foodCase}`);
    await analystPage.getByRole('heading', { name: new RegExp(`Case #${foodCase}`) }).waitFor(WAIT);
    await analystPage.getByRole('button', { name: 'Lock for editing' }).click();
    await analystPage.getByText('Locked by you').first().waitFor(WAIT);
    const box = analystPage.getByLabel(`Message to ${FOOD}`);
    await box.click();

    // A `/` inside a word is just text.
    await box.pressSequentially('and/or');
    expect(await analystPage.getByRole('listbox', { name: 'Saved replies' }).count()).toBe(0);
    await box.fill('');

    await box.pressSequentially('/');
    const list = analystPage.getByRole('listbox', { name: 'Saved replies' });
    await list.waitFor(WAIT);
    expect(await list.getByRole('option').allTextContents()).toEqual([
      expect.stringContaining('Food bank address'),
      expect.stringContaining('Opening hours'),
    ]);
    await box.pressSequentially('hours');
    await expect.poll(() => list.getByRole('option').count(), WAIT).toBe(1);
    expect(await axeViolations(analystPage, '.reply')).toEqual([]);
    const option = list.getByRole('option', { name: /Opening hours/ });
    expect(await option.getAttribute('aria-selected')).toBe('true');
    expect(await box.getAttribute('aria-activedescendant')).toBe(await option.getAttribute('id'));

    await box.press('Enter');
    const filled = `Hello ${FOOD}, we are open 9 to 5. Your case number is ${foodCase}. ${ANALYST.name}`;
    await expect.poll(() => box.inputValue(), WAIT).toBe(filled);
    expect(await list.count()).toBe(0);

    // Escape closes a search and keeps what was typed.
    await box.pressSequentially(' /foo');
    await list.or(analystPage.getByText('No saved reply matches “foo”.')).first().waitFor(WAIT);
    await box.press('Escape');
    await analystPage.getByText('No saved reply matches “foo”.').waitFor({ state: 'detached', ...WAIT });
    expect(await box.inputValue()).toBe(`${filled} /foo`);
    await box.fill(filled);

    await analystPage.getByRole('button', { name: 'Send', exact: true }).click();
    const conversation = analystPage.getByRole('list', { name: 'Conversation' });
    await conversation.getByRole('listitem').filter({ hasText: 'we are open 9 to 5' }).waitFor(WAIT);
    const record = await admin.expect<{ messages: { direction: string; text: string; author: { name: string } | null }[] }>(
      200,
      'GET',
      `/records/${foodCase}`,
    );
    expect(record.messages.at(-1)).toMatchObject({ direction: 'out', text: `${filled} #${foodCase}`, author: { name: ANALYST.name } });
  }, 60_000);

  it('an analyst keeps saved replies on their screen: adds, edits and deletes one', async () => {
    await analystPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Saved replies' }).click();
    await analystPage.getByRole('heading', { name: 'Saved replies', level: 1 }).waitFor(WAIT);
    const form = analystPage.getByRole('form', { name: 'Add a saved reply' });
    await form.getByRole('button', { name: 'Add saved reply' }).click();
    // The browser's own check names the empty field first; nothing is sent.
    expect(await form.getByLabel('Title').evaluate((el) => (el as HTMLInputElement).validity.valueMissing)).toBe(true);
    await form.getByLabel('Title').fill('Call back');
    await form.getByLabel('Text').fill('{worker} will call you back today about case {case}.');
    await form.getByLabel('Language').fill('english');
    await form.getByRole('button', { name: 'Add saved reply' }).click();
    await form.getByRole('alert').filter({ hasText: 'language' }).waitFor(WAIT);
    await form.getByLabel('Language').fill('en');
    await form.getByRole('button', { name: 'Add saved reply' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved reply “Call back” added.' }).waitFor(WAIT);
    const row = analystPage.getByRole('row').filter({ hasText: 'Call back' });
    await row.getByText('will call you back today').waitFor(WAIT);
    expect(await axeViolations(analystPage, 'main')).toEqual([]);

    await row.getByRole('button', { name: 'Edit Call back' }).click();
    const dialog = analystPage.getByRole('dialog', { name: 'Edit Call back' });
    await dialog.getByLabel('Text').fill('We will call you back tomorrow.');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await row.getByText('We will call you back tomorrow.').waitFor(WAIT);

    await row.getByRole('button', { name: 'Delete Call back' }).click();
    await analystPage.getByRole('dialog', { name: 'Delete this saved reply?' }).getByRole('button', { name: 'Delete saved reply' }).click();
    await row.waitFor({ state: 'detached', ...WAIT });
    const left = await admin.expect<{ items: { title: string }[] }>(200, 'GET', '/saved-replies');
    expect(left.items.map((r) => r.title)).not.toContain('Call back');
  }, 60_000);
});
