import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';

// Masking contact numbers (DESIGN.md §9): an analyst sees `+44 77•• •••321` wherever the console shows the contact.
const CONTACT = '+447700900321';
const MASKED = '+44 77•• •••321';
/** The whole number, written with or without its grouping. */
const WHOLE = /7700\s?900\s?321/;
const ANALYST = { email: 'mia@example.org', name: 'Mia Analyst', password: 'analyst-password-1', role: 'analyst' };
const WAIT = { timeout: 15_000 };

let test: ConsoleTest | undefined;
let admin: ApiSession;
let page: Page;
let surveyId = '';
let caseNumber = 0;
let phoneLabel = '';

beforeAll(async () => {
  ({ admin } = test = await startConsoleTest());
  const demo = await admin.sandboxNumber();
  surveyId = String(demo.surveyId);
  const survey = await admin.expect<{ questions: Array<{ name: string; label: string; type: string }> }>(
    200,
    'GET',
    `/surveys/${surveyId}`,
  );
  phoneLabel = survey.questions.find((q) => q.type === 'phone')!.label;
  await admin.expect(201, 'POST', '/users', ANALYST);
  await admin.expect(200, 'PATCH', '/organisation', { maskContacts: true });
  await admin.textIn(demo.id, CONTACT, 'Can someone call me back?');
  const found = await admin.expect<{ items: Array<{ caseNumber: number }> }>(
    200,
    'GET',
    `/surveys/${surveyId}/records?status=open&contact=${encodeURIComponent(CONTACT)}`,
  );
  caseNumber = found.items[0]!.caseNumber;
  page = await openConsole(test, ANALYST);
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

describe('masked contact numbers in the console', () => {
  it('the case list shows an analyst the masked number and never the whole one', async () => {
    await page.goto(`${test!.server.url}/#/surveys/${surveyId}/cases`);
    const row = page.getByRole('row').filter({ hasText: `#${caseNumber}` });
    await row.getByText(MASKED, { exact: true }).waitFor(WAIT);
    expect(await page.locator('body').innerText()).not.toMatch(WHOLE);
  });

  it('the case screen shows the masked number in its facts, answers and reply box, and offers no phone simulator', async () => {
    await page.goto(`${test!.server.url}/#/cases/${caseNumber}`);
    await page.getByRole('heading', { name: new RegExp(`Case #${caseNumber}`) }).waitFor(WAIT);
    await page.locator('.case-facts').getByText(MASKED, { exact: true }).waitFor(WAIT);
    await page.getByRole('list', { name: 'Conversation' }).getByText('Can someone call me back?').waitFor(WAIT);
    const phone = page.getByRole('form', { name: 'Answers' }).getByLabel(new RegExp(`^${phoneLabel}`));
    expect(await phone.inputValue()).toBe(MASKED);
    await page.getByLabel(`Message to ${MASKED}`).waitFor(WAIT);
    expect(await page.getByRole('link', { name: 'Open in phone simulator' }).count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toMatch(WHOLE);
    // Every field's value too: a number could hide in an input that innerText does not show.
    const values = await page.locator('input, textarea, select').evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value));
    expect(values.join('\n')).not.toMatch(WHOLE);
  });

  it('an admin sees the whole number on the same case', async () => {
    const adminPage = await openConsole(test!);
    await adminPage.goto(`${test!.server.url}/#/cases/${caseNumber}`);
    await adminPage.locator('.case-facts').getByText(CONTACT, { exact: true }).waitFor(WAIT);
    await adminPage.getByRole('link', { name: 'Open in phone simulator' }).waitFor(WAIT);
  });
});
