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
    // A second name differing only in case is refused, and the reason is announced.
    await form.getByLabel('Name').fill('EVICTION');
    await form.getByRole('button', { name: 'Add label' }).click();
    await form.getByRole('alert').filter({ hasText: 'exists already' }).waitFor(WAIT);

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
    await analystPage.getByRole('button', { name: 'Edit labels' }).waitFor(WAIT);
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
});
