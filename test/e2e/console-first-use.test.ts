import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { ADMIN, type TestServer } from './support/server.js';

// What a new user met in the console besides the case screen's actions (issue 11):
// right-to-left text, a survey error out of sight, a national number, an empty list.
const ARABIC = 'مرحبا، أحتاج المساعدة في الإيجار.';
const LATIN = 'Hello, I need help with the rent.';
const WAIT = { timeout: 15_000 };

let test: ConsoleTest | undefined;
let server: TestServer;
let admin: ApiSession;
let page: Page;
let numberId: string | number;
let surveyId: string | number;

beforeAll(async () => {
  ({ server, admin } = test = await startConsoleTest());
  ({ id: numberId, surveyId } = await admin.sandboxNumber());
  page = await openConsole(test, ADMIN, { width: 1280, height: 700 });
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

const direction = (locator: Locator) => locator.evaluate((el) => getComputedStyle(el).direction);
const caseRow = (text: string) => page.getByRole('row').filter({ hasText: text });

describe('text in its own direction', () => {
  it('an Arabic message reads right to left and a Latin one left to right, in the list, the bubbles and the notes', async () => {
    const contact = '+15555550401';
    await admin.textIn(numberId, contact, LATIN);
    await admin.textIn(numberId, contact, ARABIC);
    await page.goto(`${server.url}/#/surveys/${surveyId}/cases`);

    const preview = caseRow(contact).locator('.preview');
    await preview.getByText(ARABIC).waitFor(WAIT);
    expect(await direction(preview)).toBe('rtl');

    await caseRow(contact)
      .getByRole('link', { name: /^#\d+$/ })
      .click();
    const conversation = page.getByRole('list', { name: 'Conversation' });
    const arabic = conversation.locator('.msg-text', { hasText: ARABIC });
    const latin = conversation.locator('.msg-text', { hasText: LATIN });
    await arabic.waitFor(WAIT);
    expect(await direction(arabic)).toBe('rtl');
    expect(await direction(latin)).toBe('ltr');

    await page.getByRole('tab', { name: /Notes/ }).click();
    await page.getByLabel('New note').fill(ARABIC);
    await page.getByRole('button', { name: 'Add note' }).click();
    const note = page.getByRole('list', { name: 'Notes' }).locator('.note-text', { hasText: ARABIC });
    await note.waitFor(WAIT);
    expect(await direction(note)).toBe('rtl');

    await page.getByRole('button', { name: 'Lock for editing' }).click();
    const reply = page.getByLabel(`Message to ${contact}`);
    await reply.fill(ARABIC);
    expect(await direction(reply)).toBe('rtl');
    await reply.fill(LATIN);
    expect(await direction(reply)).toBe('ltr');
  }, 60_000);
});

describe('a survey error in sight and in words', () => {
  it('a select-one question without choices: the error comes into view, takes focus, and says “Select one”', async () => {
    await page.goto(`${server.url}/#/admin/surveys/new`);
    await page.getByLabel('Survey name').fill('Long form');
    for (let i = 0; i < 6; i++) await page.getByRole('button', { name: 'Add question' }).click();
    for (let n = 4; n <= 9; n++) await page.getByLabel(`Name ${n}`, { exact: true }).fill(`question_${n}`);
    await page.getByLabel('Type 9', { exact: true }).selectOption({ label: 'Select one' });
    const create = page.getByRole('button', { name: 'Create survey' });
    await create.scrollIntoViewIfNeeded();
    await create.click();

    const alert = page.getByRole('alert');
    await alert.waitFor(WAIT);
    const text = await alert.innerText();
    expect(text).toContain('“Select one”');
    expect(text).not.toContain('select_one');
    await expect
      .poll(
        () =>
          alert.evaluate((el) => {
            const box = el.getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight;
          }),
        WAIT,
      )
      .toBe(true);
    expect(await alert.evaluate((el) => el.parentElement === document.activeElement)).toBe(true);
  }, 40_000);
});

describe('finding and starting cases', () => {
  it('a national number typed in the contact filter finds the case', async () => {
    await admin.textIn(numberId, '+15555550142', 'National search please');
    await admin.textIn(numberId, '+15555550143', 'Someone else');
    await page.goto(`${server.url}/#/surveys/${surveyId}/cases`);
    await caseRow('+15555550143').waitFor(WAIT);
    await page.getByLabel('Contact').fill('(555) 555-0142');
    await expect.poll(() => page.locator('tbody').getByRole('row').count(), WAIT).toBe(1);
    await caseRow('+15555550142').getByText('National search please').waitFor(WAIT);
  }, 40_000);

  it('a survey without cases says so and points to the phone simulator for its sandbox number', async () => {
    const survey = await admin.expect<{ id: string }>(201, 'POST', '/surveys', {
      name: 'Quiet line',
      questions: [
        { name: 'contact', label: 'Contact', type: 'phone' },
        { name: 'conversation', label: 'Conversation', type: 'conversation' },
      ],
    });
    const number = await admin.expect<{ id: string }>(201, 'POST', '/numbers', {
      provider: 'sandbox',
      channel: 'sms',
      ourNumber: '+15550100999',
      surveyId: survey.id,
      theirNumberQuestion: 'contact',
      conversationQuestion: 'conversation',
      credentials: { webhookSecret: 'quiet-line-secret' },
    });
    // The console reads the surveys at start: a reload shows the new one.
    await page.goto(`${server.url}/#/surveys/${survey.id}/cases`);
    await page.reload();
    await page.getByText('This survey has no cases yet').waitFor(WAIT);
    const link = page.getByRole('link', { name: /phone simulator/ });
    expect(await link.getAttribute('href')).toBe(`#/simulator?number=${encodeURIComponent(number.id)}`);
    await link.click();
    await page.getByLabel('Contact number').waitFor(WAIT);
  }, 40_000);
});
