import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';

// An administrator secures an Africa's Talking number's webhooks, then archives and restores it.
const WAIT = { timeout: 15_000 };
const OURS = '+254711082999';

let test: ConsoleTest | undefined;
let admin: ApiSession;
let page: Page;
let numberId: string;

beforeAll(async () => {
  // The e2e server's PUBLIC_URL is http://127.0.0.1:<port>, which no provider can reach.
  ({ admin } = test = await startConsoleTest());
  const surveys = await admin.expect<{ items: Array<{ id: string; questions: Array<{ name: string; type: string }> }> }>(
    200,
    'GET',
    '/surveys',
  );
  const survey = surveys.items.find((s) => s.questions.some((q) => q.type === 'phone'))!;
  const number = await admin.expect<{ id: string }>(201, 'POST', '/numbers', {
    provider: 'africastalking',
    channel: 'sms',
    ourNumber: OURS,
    surveyId: survey.id,
    theirNumberQuestion: survey.questions.find((q) => q.type === 'phone')!.name,
    conversationQuestion: survey.questions.find((q) => q.type === 'conversation')!.name,
    credentials: { username: 'helpline', apiKey: 'atsk_e2e' },
  });
  numberId = number.id;
  page = await openConsole(test);
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

describe('numbers', () => {
  it('warns about an unreachable PUBLIC_URL and a missing allow-list, and saves allowed addresses', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Numbers' }).click();
    await page.getByText('providers cannot reach this address; set PUBLIC_URL').waitFor(WAIT);
    const row = page.getByRole('row').filter({ hasText: OURS });
    await row.getByText('No allowed addresses').waitFor(WAIT);

    await row.getByRole('link', { name: OURS }).click();
    await page.getByText('can post messages as any contact; add Africa', { exact: false }).waitFor(WAIT);
    await page.getByLabel('Allowed IP addresses').fill('192.0.2.0/24\n198.51.100.7');
    await page.getByRole('button', { name: 'Save number' }).click();
    await page.getByText('Saved.').waitFor(WAIT);
    expect(await page.getByText('can post messages as any contact', { exact: false }).count()).toBe(0);
    const saved = await admin.expect<{ allowedIps: string[] }>(200, 'GET', `/numbers/${numberId}`);
    expect(saved.allowedIps).toEqual(['192.0.2.0/24', '198.51.100.7']);
  }, 40_000);

  it('rotates the webhook URLs after a confirmation', async () => {
    const inbound = page.getByLabel('Inbound webhook URL', { exact: true });
    const before = await inbound.inputValue();
    await page.getByRole('button', { name: 'Rotate webhook URLs' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the webhook URLs?' });
    await dialog.getByText('stop working at once', { exact: false }).waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Rotate URLs' }).click();
    await expect.poll(() => inbound.inputValue(), WAIT).not.toBe(before);
    expect(await inbound.inputValue()).not.toContain(numberId);
  }, 30_000);

  it('archives a number after saying what that does, lists it as archived, and restores it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Numbers' }).click();
    await page.getByRole('button', { name: `Archive ${OURS}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Archive this number?' });
    await dialog.getByText('stops receiving and sending messages', { exact: false }).waitFor(WAIT);
    await dialog.getByText('You can restore the number', { exact: false }).waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Archive number' }).click();
    await page.getByText(`${OURS} is archived`, { exact: false }).waitFor(WAIT);
    // The list reloads after the notice: wait for the row to leave rather than count at once.
    await expect.poll(() => page.getByRole('row').filter({ hasText: OURS }).count(), WAIT).toBe(0);

    await page.getByLabel('Show archived numbers').check();
    await page.getByRole('button', { name: `Restore ${OURS}` }).click();
    await page.getByText(`${OURS} is restored`, { exact: false }).waitFor(WAIT);
    await page.getByLabel('Show archived numbers').uncheck();
    await page.getByRole('row').filter({ hasText: OURS }).waitFor(WAIT);
    expect((await admin.expect<{ archivedAt: string | null }>(200, 'GET', `/numbers/${numberId}`)).archivedAt).toBeNull();
  }, 40_000);
});
