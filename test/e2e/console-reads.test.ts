import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { type TestServer } from './support/server.js';

// How the console reads data (src/web/src/ui/use-load.ts): only the newest answer is shown,
// and a screen that follows live events catches up after the event stream comes back.
const WAIT = { timeout: 15_000 };
const SLOW = '+15555550501';
const FAST = '+15555550502';
const MISSED = '+15555550503';

let test: ConsoleTest | undefined;
let server: TestServer;
let admin: ApiSession;
let page: Page;
let numberId: string | number;
let surveyId: string | number;

async function caseOf(contact: string): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const list = await admin.expect<{ items: { caseNumber: number }[] }>(
      200,
      'GET',
      `/surveys/${encodeURIComponent(String(surveyId))}/records?status=all&contact=${encodeURIComponent(contact)}`,
    );
    if (list.items[0]) return list.items[0].caseNumber;
    if (Date.now() > deadline) throw new Error(`No case for ${contact}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  ({ server, admin } = test = await startConsoleTest());
  ({ id: numberId, surveyId } = await admin.sandboxNumber());
  await admin.textIn(numberId, SLOW, 'The slow one');
  await admin.textIn(numberId, FAST, 'The fast one');
  await caseOf(SLOW);
  await caseOf(FAST);
  page = await openConsole(test);
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

const rows = () => page.locator('table.case-table tbody tr');

describe('reading data in the console', () => {
  it('a slow answer for earlier filters never replaces the rows of the latest ones', async () => {
    await page.goto(`${server.url}/#/surveys/${encodeURIComponent(String(surveyId))}/cases`);
    await page.locator('table.case-table[aria-busy="false"]').waitFor(WAIT);
    const isSlow = (url: URL) => url.pathname.endsWith('/records') && url.searchParams.get('contact') === SLOW;
    await page.route(isSlow, async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    const slowAnswer = page.waitForResponse((response) => isSlow(new URL(response.url())), WAIT);

    await page.getByLabel('Contact', { exact: true }).fill(SLOW);
    await page.waitForRequest((request) => isSlow(new URL(request.url())), WAIT);
    await page.getByLabel('Contact', { exact: true }).fill(FAST);
    await rows().first().getByText(FAST).waitFor(WAIT);
    await slowAnswer;
    // Give the late answer every chance to land.
    await page.waitForTimeout(300);
    expect(await rows().count()).toBe(1);
    expect(await rows().first().textContent()).toContain(FAST);
    await page.unroute(isSlow);
    // The list keeps its filters for the tab, across a reload too: clear them for the next test.
    await page.getByLabel('Contact', { exact: true }).fill('');
    await expect.poll(() => rows().count(), WAIT).toBe(2);
  }, 30_000);

  it('the case list shows a case that arrived while the event stream was down', async () => {
    // The stream is refused (a restarting server, a proxy's 502): events sent meanwhile never
    // reach the page, so only the reload after reconnecting can show the new case.
    const events = '**/api/v1/events';
    await page.route(events, (route) => route.fulfill({ status: 502, body: '' }));
    await page.reload();
    await page.getByText('Reconnecting…').waitFor(WAIT);
    await page.locator('table.case-table[aria-busy="false"]').waitFor(WAIT);
    expect(await rows().count()).toBe(2);
    await admin.textIn(numberId, MISSED, 'Sent while the stream was down');
    await caseOf(MISSED);
    await page.unroute(events);
    await page.getByText('Live', { exact: true }).waitFor(WAIT);
    await rows().getByText(MISSED).waitFor(WAIT);
  }, 40_000);
});
