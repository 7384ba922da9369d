import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { type TestServer } from './support/server.js';

// The access log (DESIGN.md §9) in the console: an analyst opens a case, and an admin finds
// that read on the Access log screen, filtered by user and by case number.
const WAIT = { timeout: 15_000 };
const ANALYST = { email: 'ines@example.org', name: 'Ines Analyst', password: 'analyst-password-1', role: 'analyst' };
const CONTACT = '+15555550131';
const OTHER = '+15555550132';

let test: ConsoleTest | undefined;
let server: TestServer;
let admin: ApiSession;
let adminPage: Page;
let analystPage: Page;
let surveyId: string | number;

async function newestCaseOf(contact: string): Promise<number> {
  const page = await admin.expect<{ items: { caseNumber: number }[] }>(
    200,
    'GET',
    `/surveys/${encodeURIComponent(String(surveyId))}/records?status=open&contact=${encodeURIComponent(contact)}`,
  );
  const found = page.items[0];
  if (!found) throw new Error(`No case of ${contact}`);
  return found.caseNumber;
}

beforeAll(async () => {
  ({ server, admin } = test = await startConsoleTest());
  const number = await admin.sandboxNumber();
  surveyId = number.surveyId;
  await admin.expect(201, 'POST', '/users', ANALYST);
  await admin.textIn(number.id, CONTACT, 'Someone follows me home');
  await admin.textIn(number.id, OTHER, 'Is the clinic open today?');
  adminPage = await openConsole(test);
  analystPage = await openConsole(test, ANALYST);
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

describe('the access log in the console', () => {
  it('an admin sees who opened which case, and filters by user and case number', async () => {
    const caseNumber = await newestCaseOf(CONTACT);
    const otherCase = await newestCaseOf(OTHER);
    await analystPage.goto(`${server.url}/#/cases/${caseNumber}`);
    await analystPage.getByRole('heading', { name: new RegExp(`Case #${caseNumber}`) }).waitFor(WAIT);
    // Analysts have no Access log screen.
    expect(await analystPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access log' }).count()).toBe(0);
    await admin.expect(200, 'GET', `/records/${otherCase}`);

    await adminPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access log' }).click();
    await adminPage.getByRole('heading', { name: 'Access log', level: 1 }).waitFor(WAIT);
    const rows = adminPage.locator('table.access-log tbody tr');
    const analystRow = rows.filter({ hasText: ANALYST.name }).filter({ has: adminPage.getByRole('link', { name: `#${caseNumber}` }) });
    await analystRow.first().waitFor(WAIT);
    expect(await analystRow.first().getByText('Case', { exact: true }).count()).toBe(1);

    const filters = adminPage.getByRole('search', { name: 'Filter the access log' });
    await filters.getByLabel('User').selectOption({ label: ANALYST.name });
    await expect.poll(async () => (await rows.allInnerTexts()).every((t) => t.includes(ANALYST.name)), WAIT).toBe(true);
    await filters.getByLabel('User').selectOption({ label: 'Everyone' });
    await filters.getByLabel('Case number').fill(String(otherCase));
    await expect
      .poll(async () => {
        const texts = await rows.allInnerTexts();
        return texts.length > 0 && texts.every((t) => t.includes(`#${otherCase}`));
      }, WAIT)
      .toBe(true);
  });
});
