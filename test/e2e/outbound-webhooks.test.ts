import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { axeViolations } from './support/axe.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';

// Outbound webhooks in the console (DESIGN.md §10): an admin adds a subscription to a
// receiver on this machine (the server allows private addresses for it), sends a test, and
// sees the delivery in the subscription's log.
const WAIT = { timeout: 15_000 };
const SECRET = 'an-e2e-receiver-secret';

let test: ConsoleTest | undefined;
let receiver: WebhookReceiver;
let page: Page;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  test = await startConsoleTest({ CASELINE_WEBHOOKS_ALLOW_PRIVATE: 'true' });
  page = await openConsole(test);
}, 90_000);

afterAll(async () => {
  await stopConsoleTest(test);
  await receiver?.stop();
}, 20_000);

describe('outbound webhooks in the console', () => {
  it('an admin adds a webhook, presses Send test, and sees the delivery in its log', async () => {
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor(WAIT);
    const form = page.getByRole('form', { name: 'Add a webhook' });
    await form.getByLabel('URL').fill(receiver.url('/console'));
    await form.getByLabel('Secret').fill(SECRET);
    await form.getByRole('checkbox', { name: /record\.updated/ }).uncheck();
    await form.getByRole('button', { name: 'Add webhook' }).click();

    const card = page.getByRole('region', { name: `Webhook ${receiver.url('/console')}` });
    await card.waitFor(WAIT);
    await expect.poll(() => card.getByText('No deliveries yet.').isVisible(), WAIT).toBe(true);
    expect(await card.getByText('record.created, record.closed, message.added, message.status').isVisible()).toBe(true);

    await card.getByRole('button', { name: 'Send test' }).click();
    const row = card.getByRole('table', { name: 'Deliveries' }).getByRole('row').nth(1);
    await expect.poll(() => row.innerText(), WAIT).toMatch(/ping[\s\S]*1[\s\S]*200[\s\S]*Delivered/);
    expect(receiver.at('/console').map((w) => w.json.event)).toEqual(['ping']);
    expect(await axeViolations(page, 'main')).toEqual([]);
  });

  it('deleting asks first, then the webhook is gone', async () => {
    const card = page.getByRole('region', { name: `Webhook ${receiver.url('/console')}` });
    await card.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this webhook?' });
    await dialog.getByRole('button', { name: 'Delete webhook' }).click();
    await page.getByText('No webhooks yet.').waitFor(WAIT);
  });
});
