import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';

// Writing first on WhatsApp, where only a template reaches someone who has not written (DESIGN.md §7, rule 12).
const WAIT = { timeout: 15_000 };
const CONTACT = '+15555550188';
const OURS = '+15555550100';

let test: ConsoleTest | undefined;
let admin: ApiSession;
let page: Page;
let surveyId = '';

beforeAll(async () => {
  ({ admin } = test = await startConsoleTest());
  const demo = await admin.sandboxNumber();
  surveyId = String(demo.surveyId);
  const survey = await admin.expect<{ questions: Array<{ name: string; type: string }> }>(200, 'GET', `/surveys/${surveyId}`);
  await admin.expect(201, 'POST', '/numbers', {
    provider: 'sandbox',
    channel: 'whatsapp',
    ourNumber: OURS,
    surveyId,
    theirNumberQuestion: survey.questions.find((q) => q.type === 'phone')!.name,
    conversationQuestion: survey.questions.find((q) => q.type === 'conversation')!.name,
    templates: [
      { name: 'callback', language: 'en_GB', body: 'Hello {{1}}, we tried to call you about {{2}}.', parameters: ['name', 'topic'] },
    ],
  });
  page = await openConsole(test);
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

describe('writing first from the console', () => {
  it('fills the template’s parameters, shows the filled text before sending, and opens the case locked by me', async () => {
    await page.goto(`${test!.server.url}/#/surveys/${surveyId}/cases`);
    await page.getByRole('button', { name: 'Write first' }).click();
    const dialog = page.getByRole('dialog', { name: 'Write first' });
    await dialog.getByLabel('From number').selectOption({ label: `${OURS} (WhatsApp)` });
    await dialog.getByLabel('Contact').fill(CONTACT);
    // A WhatsApp number with templates starts on a template.
    await dialog.getByLabel('{{1}}').fill('Sam');
    await dialog.getByTestId('template-preview').getByText('Hello Sam, we tried to call you about {{2}}.').waitFor(WAIT);
    await dialog.getByLabel('{{2}}').fill('your housing claim');
    await dialog.getByTestId('template-preview').getByText('Hello Sam, we tried to call you about your housing claim.').waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Open case and send' }).click();

    await page.getByRole('heading', { name: /Case #\d+/, level: 1 }).waitFor(WAIT);
    await page.getByText('Locked by you').waitFor(WAIT);
    await page
      .getByRole('list', { name: 'Conversation' })
      .getByText('Hello Sam, we tried to call you about your housing claim.')
      .waitFor(WAIT);
    const caseNumber = Number(new URL(page.url()).hash.split('/').pop());
    const record = await admin.expect<{ contact: string; messages: Array<{ text: string }> }>(200, 'GET', `/records/${caseNumber}`);
    expect(record.contact).toBe(CONTACT);
    expect(record.messages.map((m) => m.text)).toEqual(['Hello Sam, we tried to call you about your housing claim.']);
  }, 40_000);
});
