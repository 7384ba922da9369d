import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { logIn, screenshot } from './support/browser.js';
import { startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { ADMIN, type TestServer } from './support/server.js';

// The console's team work (issue 14): assignment arriving live, unread marks, the title count
// and desktop notifications, keyboard shortcuts, the list beside the case and the phone layout.
const ANALYST = { email: 'ana@example.org', name: 'Ana Analyst', password: 'analyst-password-1', role: 'analyst' };
const WAIT = { timeout: 15_000 };
const contactOf = (i: number) => `+1555555${String(700 + i).padStart(4, '0')}`;

let test: ConsoleTest | undefined;
let server: TestServer;
let admin: ApiSession;
let numberId: string | number;
let surveyId: string | number;
let analystContext: BrowserContext;
let analyst: Page;
let supervisor: Page;

/**
 * A stand-in for the browser's Notification, installed before the console loads: it records
 * what would be shown and whether permission was asked, and grants it when asked.
 */
function recordNotifications() {
  const shown: { title: string; body: string | undefined }[] = [];
  let asked = 0;
  let permission: NotificationPermission = 'default';
  class FakeNotification {
    onclick: (() => void) | null = null;
    static get permission() {
      return permission;
    }
    static requestPermission() {
      asked++;
      permission = 'granted';
      return Promise.resolve(permission);
    }
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, body: options?.body });
    }
    close() {
      return undefined;
    }
  }
  Object.assign(window, { Notification: FakeNotification, notificationsShown: shown, permissionAsked: () => asked });
}

async function caseOf(contact: string): Promise<number> {
  let found: number | undefined;
  await expect
    .poll(async () => {
      const page = await admin.expect<{ items: { caseNumber: number }[] }>(
        200,
        'GET',
        `/surveys/${surveyId}/records?status=all&contact=${encodeURIComponent(contact)}`,
      );
      found = page.items[0]?.caseNumber;
      return found;
    }, WAIT)
    .toBeDefined();
  return found!;
}

const row = (page: Page, caseNumber: number) =>
  page.locator('table.case-table tbody tr').filter({ has: page.getByRole('link', { name: `#${caseNumber}`, exact: true }) });
const title = (page: Page) => page.evaluate(() => document.title);
/** The header's menu of my availability and notifications (a disclosure). */
const teamMenu = (page: Page) => page.locator('.team-menu > summary');
let listTitle = '';

beforeAll(async () => {
  ({ server, admin } = test = await startConsoleTest());
  ({ id: numberId, surveyId } = await admin.sandboxNumber());
  const survey = await admin.expect<{ name: string }>(200, 'GET', `/surveys/${surveyId}`);
  listTitle = `${survey.name} · Caseline`;
  await admin.expect(201, 'POST', '/users', ANALYST);
  analystContext = await test.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await analystContext.addInitScript(recordNotifications);
  analyst = await analystContext.newPage();
  await logIn(analyst, server.url, ANALYST.email, ANALYST.password);
  supervisor = await (await test.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await logIn(supervisor, server.url, ADMIN.email, ADMIN.password);
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

describe('team work in the console', () => {
  let first = 0;

  it('a new text marks its line unread; the queue counts it as waiting and unassigned', async () => {
    await analyst.getByRole('heading', { name: 'Cases', level: 1 }).waitFor(WAIT);
    const queue = analyst.getByRole('list', { name: 'Queue' });
    await queue.getByRole('button', { name: /waiting/ }).waitFor(WAIT);
    const before = await queue.textContent();
    await admin.textIn(numberId, contactOf(1), 'I need help with my heating');
    first = await caseOf(contactOf(1));
    await row(analyst, first).locator('.unread-mark').waitFor(WAIT);
    expect(await row(analyst, first).getByText('New message', { exact: false }).count()).toBe(1);
    await row(analyst, first)
      .getByText(/^waiting /)
      .waitFor(WAIT);
    await expect.poll(() => queue.textContent(), WAIT).not.toBe(before);
    expect(await queue.textContent()).toMatch(/1 waiting.*1 unassigned.*0 mine/);
    // No desktop notification was asked for on load.
    expect(await analyst.evaluate(() => (window as unknown as { permissionAsked: () => number }).permissionAsked())).toBe(0);
  }, 40_000);

  it('a supervisor assigns a case and the analyst sees it arrive live', async () => {
    await analyst.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    expect(await title(analyst)).toBe(listTitle);

    await supervisor.goto(`${server.url}/#/cases/${first}`);
    await supervisor.getByRole('heading', { name: new RegExp(`Case #${first}`) }).waitFor(WAIT);
    await supervisor.getByRole('button', { name: 'Assign to…' }).click();
    const dialog = supervisor.getByRole('dialog', { name: `Assign case #${first}` });
    await dialog.getByLabel('Colleague').selectOption({ label: `${ANALYST.name} (analyst)` });
    await dialog.getByRole('button', { name: 'Assign' }).click();
    await supervisor.getByText(`Locked by ${ANALYST.name}`).waitFor(WAIT);

    await row(analyst, first).getByText('You', { exact: true }).waitFor(WAIT);
    await expect.poll(() => title(analyst), WAIT).toBe(`(1) ${listTitle}`);
    await expect.poll(() => analyst.getByRole('list', { name: 'Queue' }).textContent(), WAIT).toMatch(/1 mine/);
    expect(await analyst.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    // The supervisor's history names who assigned whom.
    await supervisor.getByRole('tab', { name: 'History' }).click();
    await supervisor.getByRole('tabpanel').getByText(ANALYST.name).first().waitFor(WAIT);
  }, 40_000);

  it('opening the case clears its unread mark and the title count', async () => {
    await row(analyst, first)
      .getByRole('link', { name: `#${first}`, exact: true })
      .click();
    await analyst.getByRole('heading', { name: new RegExp(`Case #${first}`) }).waitFor(WAIT);
    await expect.poll(() => title(analyst), WAIT).toBe(`Case #${first} · Caseline`);
    // Beside the case (1280 px), the list line has lost its mark.
    await expect.poll(() => row(analyst, first).locator('.unread-mark').count(), WAIT).toBe(0);
  }, 30_000);

  it('a new message in my case, while I look elsewhere, counts in the title and notifies without its text or number', async () => {
    await teamMenu(analyst).click();
    await analyst.getByRole('button', { name: 'Turn on notifications' }).click();
    await analyst.getByText('Desktop notifications are on.').waitFor(WAIT);
    expect(await analyst.evaluate(() => (window as unknown as { permissionAsked: () => number }).permissionAsked())).toBe(1);
    await analyst.keyboard.press('Escape');

    await analyst.goto(`${server.url}/#/surveys/${surveyId}/cases`);
    await row(analyst, first).waitFor(WAIT);
    await admin.textIn(numberId, contactOf(1), 'Secret details about my flat');
    await expect.poll(() => title(analyst), WAIT).toBe(`(1) ${listTitle}`);
    const shown = await analyst.evaluate(() => (window as unknown as { notificationsShown: unknown[] }).notificationsShown);
    expect(shown).toEqual([{ title: 'Caseline', body: `New message in case #${first}` }]);
    await row(analyst, first).locator('.unread-mark').waitFor(WAIT);
  }, 40_000);

  it('the availability toggle is saved for auto-assignment', async () => {
    await teamMenu(analyst).click();
    await analyst.getByRole('switch', { name: 'Available for new cases' }).check();
    await analyst.getByText('Available', { exact: true }).waitFor(WAIT);
    const ana = await admin.expect<{ items: { email: string; available: boolean }[] }>(200, 'GET', '/users');
    expect(ana.items.find((u) => u.email === ANALYST.email)?.available).toBe(true);
    await analyst.keyboard.press('Escape');
  }, 30_000);

  it('j, k, r, l and ? work, and never while typing', async () => {
    await admin.textIn(numberId, contactOf(2), 'Second person');
    await admin.textIn(numberId, contactOf(3), 'Third person');
    const second = await caseOf(contactOf(2));
    const third = await caseOf(contactOf(3));
    await analyst.goto(`${server.url}/#/surveys/${surveyId}/cases`);
    await row(analyst, third).waitFor(WAIT);
    await row(analyst, second).waitFor(WAIT);
    await analyst.locator('table.case-table[aria-busy="false"]').waitFor(WAIT);
    const order = (await analyst.locator('table.case-table tbody tr .case-link').allTextContents()).map((t) => Number(t.slice(1)));
    const hash = () => analyst.evaluate(() => window.location.hash);

    await analyst.locator('body').press('j');
    await expect.poll(hash, WAIT).toBe(`#/cases/${order[0]}`);
    await analyst.getByRole('heading', { name: new RegExp(`Case #${order[0]}`) }).waitFor(WAIT);
    await analyst.keyboard.press('j');
    await expect.poll(hash, WAIT).toBe(`#/cases/${order[1]}`);
    await analyst.getByRole('heading', { name: new RegExp(`Case #${order[1]}`) }).waitFor(WAIT);
    await analyst.keyboard.press('k');
    await expect.poll(hash, WAIT).toBe(`#/cases/${order[0]}`);
    const current = order[0]!;
    await analyst.getByRole('heading', { name: new RegExp(`Case #${current}`) }).waitFor(WAIT);

    // l locks a free case, r goes to the reply box.
    const lockState = analyst.locator('.case-actions [role="status"]');
    const wasMine = (await lockState.textContent())?.includes('Locked by you') ?? false;
    if (!wasMine) {
      await analyst.keyboard.press('l');
      await lockState.getByText('Locked by you').waitFor(WAIT);
    }
    // Locking puts focus in the reply box already; from elsewhere on the page, r does.
    await analyst.locator('#case-title').click();
    await analyst.keyboard.press('r');
    const reply = analyst.getByRole('textbox', { name: /^Message to/ });
    await expect.poll(() => reply.evaluate((el) => el === document.activeElement), WAIT).toBe(true);
    await analyst.keyboard.type('jk?l');
    expect(await reply.inputValue()).toBe('jk?l');
    expect(await hash()).toBe(`#/cases/${current}`);
    expect(await analyst.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
    expect(await lockState.textContent()).toContain('Locked by you');
    await reply.fill('');

    // Out of the box, ? shows the sheet and Escape closes it.
    await analyst.locator('#case-title').click();
    await analyst.keyboard.press('?');
    const sheet = analyst.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.waitFor(WAIT);
    expect(await sheet.textContent()).toContain('Next case in the list');
    await analyst.keyboard.press('j');
    expect(await hash()).toBe(`#/cases/${current}`);
    await analyst.keyboard.press('Escape');
    await sheet.waitFor({ state: 'hidden', ...WAIT });

    // l again releases.
    await analyst.keyboard.press('l');
    await lockState.getByText('Not locked').waitFor(WAIT);
  }, 60_000);

  it('on a wide screen the list stands beside the open case', async () => {
    await analyst.goto(`${server.url}/#/cases/${first}`);
    const caseHeading = analyst.getByRole('heading', { name: new RegExp(`Case #${first}`), level: 1 });
    await caseHeading.waitFor(WAIT);
    const listHeading = analyst.getByRole('heading', { name: 'Cases', level: 2 });
    await listHeading.waitFor(WAIT);
    const list = (await analyst.locator('.workspace-list').boundingBox())!;
    const opened = (await analyst.locator('.workspace-case').boundingBox())!;
    expect(list.x + list.width).toBeLessThanOrEqual(opened.x);
    expect(list.y).toBeLessThan(opened.y + opened.height);
    expect(await row(analyst, first).getAttribute('aria-current')).toBe('true');
    // The filters fold away beside the case.
    expect(await analyst.getByRole('search', { name: 'Filter cases' }).isVisible()).toBe(false);
    await screenshot(analyst, 'team-side-by-side');

    const require = createRequire(import.meta.url);
    // Evaluated through the debugging protocol: the console's Content-Security-Policy refuses inline scripts.
    await analyst.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const violations = await analyst.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: { id: string }[] }> } })
        .axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
      return result.violations.map((v) => v.id);
    });
    expect(violations).toEqual([]);
  }, 40_000);

  it('the person’s other cases and history entries naming a case are links', async () => {
    const record = await admin.expect<{ messages: { id: string }[] }>(200, 'GET', `/records/${first}`);
    await admin.expect(200, 'POST', `/records/${first}/assign`, { userId: admin.session.user.id });
    const moved = await admin.expect<{ caseNumber: number }>(201, 'POST', `/records/${first}/messages/${record.messages.at(-1)!.id}/move`, {
      comment: 'Another matter',
    });
    await analyst.goto(`${server.url}/#/cases/${first}`);
    const others = analyst.getByRole('navigation', { name: 'Other cases of this person' });
    await others.getByRole('link', { name: `#${moved.caseNumber}` }).waitFor(WAIT);
    await analyst.getByRole('tab', { name: 'History' }).click();
    await analyst
      .getByRole('tabpanel')
      .getByRole('link', { name: `#${moved.caseNumber}` })
      .click();
    await analyst.getByRole('heading', { name: new RegExp(`Case #${moved.caseNumber}`), level: 1 }).waitFor(WAIT);
  }, 40_000);

  it('on a phone the filters fold away and the case is one tap from the queue', async () => {
    const phone = await (await test!.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
    await logIn(phone, server.url, ANALYST.email, ANALYST.password);
    await phone.goto(`${server.url}/#/surveys/${surveyId}/cases`);
    await row(phone, first).waitFor(WAIT);
    const filters = phone.getByRole('search', { name: 'Filter cases' });
    const toggle = phone.getByRole('button', { name: /^Filters/ });
    expect(await filters.isVisible()).toBe(false);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await screenshot(phone, 'team-phone-queue');
    await toggle.click();
    await filters.waitFor(WAIT);
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await filters.getByText('Waiting', { exact: true }).click();

    await row(phone, first)
      .getByRole('link', { name: `#${first}`, exact: true })
      .click();
    await phone.getByRole('heading', { name: new RegExp(`Case #${first}`) }).waitFor(WAIT);
    expect(await phone.locator('.workspace-list').count()).toBe(0);
    await phone.locator('.crumbs').getByRole('link').click();
    await phone.getByRole('heading', { name: 'Cases', level: 1 }).waitFor(WAIT);
    // Back in the queue, the view chosen before is still on.
    await toggle.click();
    expect(await phone.getByRole('radio', { name: 'Waiting' }).isChecked()).toBe(true);
  }, 40_000);
});
