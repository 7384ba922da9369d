import '../support/console-english.js';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { formatDuration } from '../../src/web/src/screens/reports/report-format.js';
import { addDays, todayIn } from '../../src/web/src/screens/reports/report-query.js';
import { ApiSession } from './support/api.js';
import { axeViolations } from './support/axe.js';
import { logIn, screenshot } from './support/browser.js';
import { DESKTOP, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { sleep } from './support/server.js';

// The reports dashboard (DESIGN.md §10 "Dashboard"): three texts in through the sandbox, a
// reply from the admin and one from an analyst who then closes the case, and the dashboard
// drawing those figures as charts and tables, with each table as CSV. The browser runs in
// Kolkata, so the default zone is the browser's and not the server's UTC.
const WAIT = { timeout: 15_000 };
const ZONE = 'Asia/Kolkata';
// A name a spreadsheet program would take for a formula: the CSV must neutralise it.
const ANALYST = { email: 'bo@example.org', name: '+Bo Plus', role: 'analyst', password: 'bo-analyst-password-1' } as const;
const VIEWER = { email: 'vi@example.org', name: 'Vi Viewer', role: 'viewer', password: 'vi-viewer-password-1' } as const;
const CONTACTS = ['+15555550191', '+15555550192', '+15555550193'] as const;

interface Bucket {
  start: string;
  inbound: number;
  outbound: number;
  newCases: number;
  closedCases: number;
  backlog: number;
  firstResponseSeconds: { median: number | null; p90: number | null };
}
interface Report {
  buckets: Bucket[];
  workers: { userId: string; name: string; replies: number; closedCases: number; firstResponseSeconds: { median: number | null } }[];
}

let test: ConsoleTest | undefined;
let admin: ApiSession;
let analyst: ApiSession;
let page: Page;
let surveyId = '';
let today = '';
let from = '';
/** What the API answers for the dashboard's default view, once every reply and close is counted. */
let expected: Report;

/** Asks `read` again until it answers something; set-up has no `expect.poll`. */
async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT.timeout;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Waited in vain for ${what}`);
    await sleep(200);
  }
}

const caseOf = (contact: string) =>
  until(`the case of ${contact}`, async () => {
    const list = await admin.expect<{ items: { caseNumber: number }[] }>(
      200,
      'GET',
      `/surveys/${surveyId}/records?status=all&contact=${encodeURIComponent(contact)}`,
    );
    return list.items[0]?.caseNumber;
  });

async function reply(session: ApiSession, caseNumber: number): Promise<void> {
  await session.expect(200, 'POST', `/records/${caseNumber}/lock`);
  await session.expect(202, 'POST', `/records/${caseNumber}/notifications`, { target: 'conversation', text: 'We are here for you' });
}

/** A page with its own cookies in Kolkata's zone, logged in through the login screen. */
async function openInKolkata(user: { email: string; password: string }): Promise<Page> {
  const context = await test!.browser.newContext({ viewport: DESKTOP, timezoneId: ZONE, acceptDownloads: true });
  const opened = await context.newPage();
  await logIn(opened, test!.server.url, user.email, user.password);
  return opened;
}

const filters = () => page.getByRole('search', { name: 'Filter the reports' });
const card = (name: string) => page.getByRole('region', { name, exact: true });

/** The cells of the table row whose first cell is the bucket starting on `day`. */
async function rowOf(region: string, day: string): Promise<string[]> {
  const row = card(region)
    .locator('tbody tr')
    .filter({ has: page.locator(`time[datetime="${day}"]`) });
  await row.waitFor(WAIT);
  return row.locator('td').allInnerTexts();
}

/** Clicks a card's Download CSV and answers the file's name and text (BOM kept). */
async function downloadCsv(region: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([
    page.waitForEvent('download', WAIT),
    card(region)
      .getByRole('button', { name: /^Download CSV/ })
      .click(),
  ]);
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
}

beforeAll(async () => {
  test = await startConsoleTest();
  admin = test.admin;
  const number = await admin.sandboxNumber();
  surveyId = String(number.surveyId);
  await admin.expect(201, 'POST', '/users', ANALYST);
  await admin.expect(201, 'POST', '/users', VIEWER);
  analyst = await ApiSession.login(test.server.url, ANALYST.email, ANALYST.password);
  for (const contact of CONTACTS) await admin.textIn(number.id, contact, 'I need to talk to someone');
  const [first, second] = await Promise.all([caseOf(CONTACTS[0]), caseOf(CONTACTS[1])]);
  await reply(admin, first);
  await reply(analyst, second);
  await analyst.expect(200, 'POST', `/records/${second}/close`);

  today = todayIn(ZONE);
  from = addDays(today, -29);
  const query = `from=${from}&to=${today}&bucket=day&tz=${encodeURIComponent(ZONE)}`;
  expected = await until('the replies and the close to be counted', async () => {
    const report = await admin.expect<Report>(200, 'GET', `/reports/summary?${query}`);
    const day = report.buckets.find((b) => b.start === today);
    return day && day.inbound === 3 && day.newCases === 3 && day.closedCases === 1 && day.outbound >= 2 ? report : undefined;
  });
  page = await openInKolkata({ email: 'admin@example.org', password: 'correct-horse-battery' });
  // Wide: the first file to start builds dist/ (server and console), on a machine others keep busy.
}, 180_000);

afterAll(() => stopConsoleTest(test), 20_000);

describe('the reports dashboard', () => {
  it('loads its charts only when opened, and draws the day’s messages, cases and response times', async () => {
    const scripts: string[] = [];
    const onRequest = (request: Request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    };
    page.on('request', onRequest);
    await page.goto(`${test!.server.url}/#/surveys/${surveyId}/cases`);
    await page.reload();
    await page.locator('tr.case-row').first().waitFor(WAIT);
    expect(scripts.some((path) => /^\/assets\/index-[\w-]+\.js$/.test(path))).toBe(true);
    expect(scripts.filter((path) => path.includes('reports-screen'))).toEqual([]);

    const started = Date.now();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor(WAIT);
    page.off('request', onRequest);
    expect(scripts.filter((path) => /^\/assets\/reports-screen-[\w-]+\.js$/.test(path))).toHaveLength(1);

    // The defaults are written into the URL: the last 30 days in the browser's zone (Chromium
    // may name Kolkata by its older name, Asia/Calcutta), by day.
    const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(['Asia/Kolkata', 'Asia/Calcutta']).toContain(zone);
    await expect
      .poll(() => new URL(page.url()).hash, WAIT)
      .toBe(`#/reports?from=${from}&to=${today}&bucket=day&tz=${encodeURIComponent(zone)}`);
    expect(await filters().getByLabel('From').inputValue()).toBe(from);
    expect(await filters().getByLabel('Time zone').inputValue()).toBe(zone);

    for (const name of ['Messages', 'Cases', 'Response times']) {
      const chart = card(name).locator('.report-chart[role="img"]');
      expect(await chart.getAttribute('aria-label')).toMatch(/the table below gives the numbers/);
      await expect.poll(() => chart.locator('svg path').count(), WAIT).toBeGreaterThan(10);
    }
    console.log(`dashboard drawn ${Date.now() - started} ms after the click`);

    const day = expected.buckets.find((b) => b.start === today)!;
    expect(await rowOf('Messages', today)).toEqual(['3', String(day.outbound)]);
    expect(await rowOf('Cases', today)).toEqual(['3', '1', String(day.backlog)]);
    const times = await rowOf('Response times', today);
    expect(times.slice(0, 2)).toEqual([formatDuration(day.firstResponseSeconds.median), formatDuration(day.firstResponseSeconds.p90)]);
    // A quiet day has no durations: a dash, not a zero.
    expect(await rowOf('Response times', from)).toEqual(['—', '—', '—', '—']);

    const bo = card('Workers').locator('tbody tr').filter({ hasText: ANALYST.name });
    await bo.waitFor(WAIT);
    expect(await bo.locator('td').allInnerTexts()).toEqual(['1', '1', expect.stringMatching(/^\d+ (s|min)$/)]);
    expect(await axeViolations(page, 'main')).toEqual([]);
    await screenshot(page, 'reports-dashboard');
  }, 60_000);

  it('downloads each table as CSV with a byte-order mark, exact figures and a neutralised name', async () => {
    const messages = await downloadCsv('Messages');
    const day = expected.buckets.find((b) => b.start === today)!;
    expect(messages.name).toBe(`caseline-messages-${from}-${today}.csv`);
    expect(messages.text.startsWith('\uFEFFDay,Messages in,Messages out\r\n')).toBe(true);
    expect(messages.text).toContain(`\r\n${today},3,${day.outbound}\r\n`);
    expect(messages.text.split('\r\n')).toHaveLength(30 + 2);

    const times = await downloadCsv('Response times');
    expect(times.text).toContain(`\r\n${from},,,,\r\n`);

    const workers = await downloadCsv('Workers');
    const bo = expected.workers.find((w) => w.name === ANALYST.name)!;
    expect(workers.name).toBe(`caseline-workers-${from}-${today}.csv`);
    expect(workers.text.startsWith('\uFEFFWorker,Replies,Closed cases,Median first response (seconds)\r\n')).toBe(true);
    expect(workers.text).toContain(`\r\n'+Bo Plus,1,1,${bo.firstResponseSeconds.median}\r\n`);
  }, 30_000);

  it('keeps its filters in the URL, so a reload shows the same view', async () => {
    await filters().getByLabel('Worker').selectOption({ label: ANALYST.name });
    await filters().getByText('Week', { exact: true }).click();
    await expect.poll(() => page.url(), WAIT).toMatch(/worker=[^&]+.*bucket=week/);
    await page.reload();
    await card('Workers').locator('tbody tr').first().waitFor(WAIT);
    expect(await filters().getByLabel('Worker').inputValue()).toBe(analyst.session.user.id);
    expect(await card('Messages').locator('thead th').first().innerText()).toMatch(/week/i);
    expect(await card('Workers').locator('tbody tr').allInnerTexts()).toEqual([expect.stringContaining(ANALYST.name)]);
  }, 30_000);

  it('says when a range holds no activity, and why a report cannot be made', async () => {
    await page.goto(`${test!.server.url}/#/reports?from=2020-01-01&to=2020-01-31&bucket=day&tz=UTC`);
    await page.getByText('No activity in this range').waitFor(WAIT);
    expect(await page.locator('.report-chart').count()).toBe(0);

    await page.goto(`${test!.server.url}/#/reports?from=2020-02-01&to=2020-01-01&bucket=day&tz=UTC`);
    await page.getByRole('alert').filter({ hasText: 'The report could not be loaded' }).waitFor(WAIT);
  }, 30_000);

  it('is there for a viewer too', async () => {
    const viewer = await openInKolkata(VIEWER);
    await viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    const cases = viewer.getByRole('region', { name: 'Cases', exact: true });
    await cases.locator(`time[datetime="${today}"]`).waitFor(WAIT);
    await viewer.context().close();
  }, 30_000);
});
