import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { HELPLINE_INTAKE, xlsxOf } from '../support/xlsform-sample.js';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { type TestServer } from './support/server.js';

// An admin imports a KoboToolbox form, sees the rows left out, downloads a survey back, and
// a worker answers a select-several question with checkboxes.
const WAIT = { timeout: 15_000 };

let test: ConsoleTest | undefined;
let server: TestServer;
let admin: ApiSession;
let page: Page;

beforeAll(async () => {
  ({ server, admin } = test = await startConsoleTest());
  page = await openConsole(test);
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

describe('XLSForm and select several in the console', () => {
  it('imports an XLSForm, lists the skipped rows, and downloads a survey as XLSForm', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Surveys' }).click();
    await page.getByLabel('Import XLSForm').setInputFiles({
      name: 'intake.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await xlsxOf(HELPLINE_INTAKE),
    });
    await page.getByText('Created Helpline intake with 10 questions.').waitFor(WAIT);
    const skipped = page.getByRole('table', { name: 'Rows left out of the survey sheet' });
    await skipped.getByRole('row').filter({ hasText: 'geopoint' }).getByRole('cell', { name: '14', exact: true }).waitFor(WAIT);
    expect(await skipped.getByRole('row').count()).toBe(12);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download XLSForm of Helpline intake' }).click();
    expect((await download).suggestedFilename()).toBe('helpline-intake-xlsform.xlsx');

    await page.getByRole('link', { name: 'Helpline intake' }).first().click();
    await page.getByLabel('Name 5').waitFor(WAIT);
    expect(await page.getByLabel('Name 5').inputValue()).toBe('concerns');
    expect(await page.getByLabel('Type 5').inputValue()).toBe('select_multiple');
  }, 60_000);

  it('answers a select-several question with checkboxes', async () => {
    const number = await admin.sandboxNumber();
    const surveyPath = `/surveys/${encodeURIComponent(String(number.surveyId))}`;
    const survey = await admin.expect<{ questions: unknown[] }>(200, 'GET', surveyPath);
    const needs = {
      name: 'needs',
      label: 'Needs',
      type: 'select_multiple',
      choices: [
        { value: 'food', label: 'Food' },
        { value: 'water', label: 'Water' },
        { value: 'shelter', label: 'Shelter' },
      ],
    };
    await admin.expect(200, 'PATCH', surveyPath, { questions: [...survey.questions, needs] });
    const contact = '+15555550999';
    await admin.textIn(number.id, contact, 'We need food and shelter');
    let caseNumber: number | undefined;
    await expect
      .poll(async () => {
        const list = await admin.expect<{ items: { caseNumber: number; contact: string }[] }>(
          200,
          'GET',
          `${surveyPath}/records?status=all`,
        );
        caseNumber = list.items.find((item) => item.contact === contact)?.caseNumber;
        return caseNumber;
      }, WAIT)
      .toBeDefined();

    // Loaded again: the console read the surveys before the question was added.
    await page.goto(`${server.url}/#/cases/${caseNumber}`);
    await page.reload();
    await page.getByRole('button', { name: 'Lock for editing' }).click();
    await page.getByText('Locked by you').waitFor(WAIT);
    const group = page.getByRole('group', { name: 'Needs' });
    await group.getByLabel('Shelter').check();
    await group.getByLabel('Food').check();
    await page.getByRole('button', { name: 'Save answers' }).click();
    await page.getByText('Saved', { exact: true }).waitFor(WAIT);
    const record = await admin.expect<{ answers: Record<string, unknown> }>(200, 'GET', `/records/${caseNumber}`);
    expect(record.answers.needs).toEqual(['food', 'shelter']);
  }, 60_000);
});
