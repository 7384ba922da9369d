import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ApiSession } from './support/api.js';
import { launchBrowser, logIn, screenshot } from './support/browser.js';
import { ADMIN, startServer, type TestServer } from './support/server.js';

// A reply through Twilio that fails, shows why, and is retried; its ticks follow Twilio's
// status callbacks. Twilio is a fake on 127.0.0.1 speaking its wire format.
const WAIT = { timeout: 20_000 };
const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'a'.repeat(32);
const CONTACT = '+15555550333';

let twilio: Server;
const sends: URLSearchParams[] = [];
let nextAnswer: { status: number; body: unknown } = { status: 400, body: { code: 21211, message: 'Invalid To' } };

let server: TestServer;
let browser: Browser;
let admin: ApiSession;
let page: Page;
let webhooks: { inbound: string; status: string };

function twilioSignature(url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + (params[key] ?? ''), url);
  return createHmac('sha1', AUTH_TOKEN).update(data).digest('base64');
}

async function postToWebhook(url: string, params: Record<string, string>): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilioSignature(url, params) },
    body: new URLSearchParams(params).toString(),
  });
  await response.text();
  return response.status;
}

beforeAll(async () => {
  twilio = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      sends.push(new URLSearchParams(body));
      res.writeHead(nextAnswer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(nextAnswer.body));
    });
  });
  await new Promise<void>((resolve) => twilio.listen(0, '127.0.0.1', resolve));
  const twilioUrl = `http://127.0.0.1:${(twilio.address() as AddressInfo).port}`;

  server = await startServer({ CASELINE_TWILIO_API_URL: twilioUrl });
  browser = await launchBrowser();
  admin = await ApiSession.login(server.url, ADMIN.email, ADMIN.password);
  const demo = await admin.sandboxNumber();
  const number = await admin.expect<{ webhooks: { inbound: string; status: string } }>(201, 'POST', '/numbers', {
    provider: 'twilio',
    channel: 'sms',
    ourNumber: '+15550109999',
    surveyId: demo.surveyId,
    theirNumberQuestion: 'phone',
    conversationQuestion: 'conversation',
    credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
  });
  webhooks = number.webhooks;
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => twilio?.close(resolve));
}, 20_000);

describe('delivery of a reply', () => {
  it('a failed send shows the reason, a retry sends it, and the ticks follow the status callbacks', async () => {
    expect(
      await postToWebhook(webhooks.inbound, {
        MessageSid: 'SM00000000000000000000000000000001',
        AccountSid: ACCOUNT_SID,
        From: CONTACT,
        To: '+15550109999',
        Body: 'Can someone call me back?',
        NumMedia: '0',
      }),
    ).toBe(200);

    await logIn(page, server.url, ADMIN.email, ADMIN.password);
    await page
      .getByRole('row')
      .filter({ hasText: CONTACT })
      .getByRole('link', { name: /^#\d+$/ })
      .click();
    await page.getByRole('button', { name: 'Lock for editing' }).click();
    await page.getByText('Locked by you').waitFor(WAIT);
    await page.getByLabel(`Message to ${CONTACT}`).fill('We will call you today.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    const bubble = page.getByRole('list', { name: 'Conversation' }).getByRole('listitem').filter({ hasText: 'We will call you today.' });
    await bubble.getByText('The number is not a valid phone number (21211)').waitFor(WAIT);
    await bubble.getByText('Failed', { exact: true }).waitFor(WAIT);
    expect(sends).toHaveLength(1);
    await screenshot(page, 'case-failed-reply');
    expect(sends[0]?.get('To')).toBe(CONTACT);
    expect(sends[0]?.get('Body')).toMatch(/^We will call you today\. #\d+$/);

    nextAnswer = { status: 201, body: { sid: 'SM00000000000000000000000000000099', status: 'queued' } };
    await bubble.getByRole('button', { name: 'Retry' }).click();
    await bubble.getByText('Sent', { exact: true }).waitFor(WAIT);
    expect(await bubble.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    expect(sends).toHaveLength(2);

    expect(
      await postToWebhook(webhooks.status, {
        MessageSid: 'SM00000000000000000000000000000099',
        AccountSid: ACCOUNT_SID,
        MessageStatus: 'delivered',
      }),
    ).toBe(200);
    await bubble.getByText('Delivered', { exact: true }).waitFor(WAIT);
    expect(await bubble.locator('.ticks').textContent()).toBe('✓✓');
  }, 60_000);
});
