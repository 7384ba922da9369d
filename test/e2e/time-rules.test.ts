import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { type TestServer } from './support/server.js';

// Time rules in the console (DESIGN.md §8): the survey's rules and the number's acknowledgement
// as an admin sets them, the alert bell, automatic messages, and WhatsApp's window. Time is
// moved in the server's SQLite file rather than waited for: the server is a separate process
// that reads every case and timer from it, and its job worker looks for due timers each second.
const WAIT = { timeout: 15_000 };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ANALYST = { email: 'tom@example.org', name: 'Tom Analyst', password: 'analyst-password-1', role: 'analyst' };
const WHATSAPP_NUMBER = '+15555550170';

let test: ConsoleTest | undefined;
let server: TestServer;
let admin: ApiSession;
let adminPage: Page;
let analystPage: Page;
let db: SqliteDatabase.Database;
let numberId = '';
let surveyId = '';
let questions: { name: string; label: string; type: string; choices?: unknown[] }[] = [];

/** WCAG 2 A and AA violations axe finds within `selector`, as `rule: target` lines. */
async function axeViolations(page: Page, selector: string): Promise<string[]> {
  // Evaluated through the debugging protocol: the console's Content-Security-Policy refuses inline scripts.
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async (context) => {
    type Result = { violations: { id: string; nodes: { target: string[] }[] }[] };
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<Result> } }).axe;
    const result = await axe.run(context, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  }, selector);
}

/** The open case of `contact` on the demo survey, once its message is stored. */
async function caseOf(contact: string): Promise<{ caseNumber: number; id: string }> {
  for (let tries = 0; ; tries += 1) {
    const row = db
      .prepare('SELECT id, case_number FROM records WHERE contact = ? AND status = ? ORDER BY case_number DESC LIMIT 1')
      .get(contact, 'open') as { id: string; case_number: number } | undefined;
    if (row) return { caseNumber: Number(row.case_number), id: row.id };
    if (tries > 100) throw new Error(`No case of ${contact}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  ({ server, admin } = test = await startConsoleTest());
  const number = await admin.sandboxNumber();
  numberId = String(number.id);
  surveyId = String(number.surveyId);
  ({ questions } = await admin.expect<{ questions: typeof questions }>(200, 'GET', `/surveys/${surveyId}`));
  await admin.expect(201, 'POST', '/users', ANALYST);
  db = new SqliteDatabase(join(server.dataDir, 'e2e.db'));
  db.pragma('busy_timeout = 5000');
  adminPage = await openConsole(test);
  analystPage = await openConsole(test, ANALYST);
}, 90_000);

afterAll(async () => {
  db?.close();
  await stopConsoleTest(test);
}, 20_000);

describe('time rules in the console', () => {
  it("an admin sets a survey's business hours and alerts; a bad value shows the server's message, and the rules stay after a reload", async () => {
    const survey = await admin.expect<{ id: string }>(201, 'POST', '/surveys', { name: 'Night line', questions });
    await adminPage.goto(`${server.url}/#/admin/surveys/${survey.id}`);
    await adminPage.getByRole('link', { name: 'Edit business hours, alerts and auto-close' }).click();
    await adminPage.getByRole('heading', { name: 'Time rules: Night line', level: 1 }).waitFor(WAIT);
    const form = adminPage.getByRole('form', { name: 'Time rules' });

    await form.getByLabel('Keep business hours').check();
    await form.getByLabel('Time zone').selectOption('Europe/London');
    await form.getByLabel('Monday, interval 1, closes at').fill('18:30');
    await form.getByRole('button', { name: 'Add an interval on Saturday' }).click();
    await form.getByLabel('Saturday, interval 1, closes at').fill('13:00');
    await form.getByRole('button', { name: "Remove Friday's interval 1" }).click();
    await form.getByLabel('Holiday date').fill('2026-12-25');
    await form.getByRole('button', { name: 'Add holiday' }).click();
    await form.getByLabel('Alert when a case waits too long for an answer').check();
    await form.getByLabel('First alert after (minutes)').fill('30');
    await form.getByLabel('Alert the admins after (minutes)').fill('20');
    await form.getByLabel('Also email').fill('lead@example.org');
    expect(await axeViolations(adminPage, 'main')).toEqual([]);

    await form.getByRole('button', { name: 'Save time rules' }).click();
    await form.getByRole('alert').getByText('alerts.secondLevelMinutes must be a whole number above firstLevelMinutes').waitFor(WAIT);
    const unsaved = await admin.expect<{ businessHours: unknown; alerts: unknown }>(200, 'GET', `/surveys/${survey.id}`);
    expect(unsaved).toMatchObject({ businessHours: null, alerts: null });

    await form.getByLabel('Alert the admins after (minutes)').fill('90');
    await form.getByRole('button', { name: 'Save time rules' }).click();
    await adminPage.getByRole('status').filter({ hasText: 'Time rules saved.' }).waitFor(WAIT);
    const saved = await admin.expect<Record<string, unknown>>(200, 'GET', `/surveys/${survey.id}`);
    expect(saved.businessHours).toEqual({
      timeZone: 'Europe/London',
      weekly: {
        mon: [['09:00', '18:30']],
        tue: [['09:00', '17:00']],
        wed: [['09:00', '17:00']],
        thu: [['09:00', '17:00']],
        sat: [['09:00', '13:00']],
      },
      holidays: ['2026-12-25'],
    });
    expect(saved.alerts).toEqual({ firstLevelMinutes: 30, secondLevelMinutes: 90, emails: ['lead@example.org'] });
    expect(saved.autoClose).toBeNull();

    await adminPage.reload();
    await adminPage.getByRole('heading', { name: 'Time rules: Night line', level: 1 }).waitFor(WAIT);
    expect(await form.getByLabel('Keep business hours').isChecked()).toBe(true);
    expect(await form.getByLabel('Time zone').inputValue()).toBe('Europe/London');
    expect(await form.getByLabel('Monday, interval 1, closes at').inputValue()).toBe('18:30');
    expect(await form.getByLabel('Saturday, interval 1, closes at').inputValue()).toBe('13:00');
    expect(await form.getByLabel('Friday, interval 1, opens at').count()).toBe(0);
    await form.getByRole('list', { name: 'Holidays' }).getByRole('listitem').filter({ hasText: '2026' }).waitFor(WAIT);
    expect(await form.getByLabel('First alert after (minutes)').inputValue()).toBe('30');
    expect(await form.getByLabel('Alert the admins after (minutes)').inputValue()).toBe('90');
    expect(await form.getByLabel('Close open cases that go quiet').isChecked()).toBe(false);
  }, 50_000);

  it('the alert bell lights without a reload when a case waits too long, and its alert opens the case', async () => {
    await admin.expect(200, 'PATCH', `/surveys/${surveyId}`, {
      businessHours: null,
      alerts: { firstLevelMinutes: 1, secondLevelMinutes: null, emails: [] },
    });
    await analystPage.goto(`${server.url}/#/surveys/${surveyId}/cases`);
    const bell = analystPage.locator('.alert-bell > summary');
    await bell.waitFor(WAIT);
    expect(await bell.getAttribute('aria-label')).toBe('Alerts, none unread');

    const contact = '+15555550161';
    await admin.textIn(numberId, contact, 'Is anyone there?');
    const waiting = await caseOf(contact);
    const timer = `alert.first:${waiting.id}`;
    // The timer is booked with the case; then the case is made to have waited five minutes.
    await expect.poll(() => db.prepare('SELECT id FROM jobs WHERE id = ?').get(timer), WAIT).toBeTruthy();
    const now = Date.now();
    db.prepare('UPDATE records SET waiting_since = ? WHERE id = ?').run(now - 5 * MINUTE, waiting.id);
    db.prepare('UPDATE jobs SET due_at = ? WHERE id = ?').run(now - 1000, timer);

    await analystPage.locator('.alert-bell > summary[aria-label="Alerts, 1 unread"]').waitFor(WAIT);
    expect(await analystPage.getByTestId('alert-count').textContent()).toBe('1');

    await bell.click();
    const item = analystPage
      .getByRole('list', { name: 'My alerts' })
      .getByRole('link', { name: new RegExp(`Case #${waiting.caseNumber}\\b`) });
    await item.waitFor(WAIT);
    expect(await item.textContent()).toMatch(/waiting.*waited 5 min/);
    expect(await axeViolations(analystPage, '.alert-bell')).toEqual([]);
    await item.click();
    await analystPage.getByRole('heading', { name: new RegExp(`^Case #${waiting.caseNumber}\\b`), level: 1 }).waitFor(WAIT);
    await analystPage.locator('.alert-bell > summary[aria-label="Alerts, none unread"]').waitFor(WAIT);
    const mine = await ApiSession.login(server.url, ANALYST.email, ANALYST.password);
    const list = await mine.expect<{ unread: number; items: { caseNumber: number; readAt: string | null }[] }>(200, 'GET', '/alerts');
    expect(list.unread).toBe(0);
    expect(list.items).toEqual([expect.objectContaining({ caseNumber: waiting.caseNumber, readAt: expect.any(String) as string })]);
  }, 50_000);

  it("the number's acknowledgement is set on its screen and shows in the conversation as automatic", async () => {
    await adminPage.goto(`${server.url}/#/admin/numbers/${numberId}`);
    const ack = adminPage.getByLabel('Acknowledgement text');
    await ack.waitFor(WAIT);
    // The demo survey keeps no business hours, which the out-of-hours text needs.
    await adminPage.getByText('keeps none: until it does, the acknowledgement goes out at all hours').waitFor(WAIT);
    await ack.fill('Thank you. Your case number is #{case}.');
    await adminPage.getByRole('button', { name: 'Save number' }).click();
    await adminPage.getByRole('status').filter({ hasText: 'Saved.' }).waitFor(WAIT);
    const stored = await admin.expect<{ acknowledgement: unknown }>(200, 'GET', `/numbers/${numberId}`);
    expect(stored.acknowledgement).toEqual({ text: 'Thank you. Your case number is #{case}.', outOfHoursText: null });

    const contact = '+15555550162';
    await admin.textIn(numberId, contact, 'I need to talk to someone');
    const { caseNumber } = await caseOf(contact);
    await adminPage.goto(`${server.url}/#/cases/${caseNumber}`);
    const conversation = adminPage.getByRole('list', { name: 'Conversation' });
    const automatic = conversation.getByRole('listitem').filter({ hasText: `Thank you. Your case number is #${caseNumber}.` });
    await automatic.waitFor(WAIT);
    await automatic.getByText('Automatic', { exact: true }).waitFor(WAIT);
    expect(await automatic.getByText('Automatic message:').count()).toBe(1);
    // The contact's own message has no such mark.
    const inbound = conversation.getByRole('listitem').filter({ hasText: 'I need to talk to someone' });
    expect(await inbound.getByText('Automatic', { exact: true }).count()).toBe(0);
    await admin.expect(200, 'PATCH', `/numbers/${numberId}`, { acknowledgement: null });
  }, 40_000);

  it('warns the holder of a waiting WhatsApp case when under an hour of the window is left, and says when it has closed', async () => {
    const phoneQuestion = questions.find((q) => q.type === 'phone')!.name;
    const conversationQuestion = questions.find((q) => q.type === 'conversation')!.name;
    const whatsapp = await admin.expect<{ id: string }>(201, 'POST', '/numbers', {
      provider: 'sandbox',
      channel: 'whatsapp',
      ourNumber: WHATSAPP_NUMBER,
      surveyId,
      theirNumberQuestion: phoneQuestion,
      conversationQuestion,
    });
    const contact = '+15555550163';
    await admin.textIn(whatsapp.id, contact, 'Hello from WhatsApp');
    const { caseNumber, id } = await caseOf(contact);
    await admin.expect(200, 'POST', `/records/${caseNumber}/lock`);
    const wroteAt = (ago: number) => {
      db.prepare("UPDATE messages SET created_at = ? WHERE number_id = ? AND contact = ? AND direction = 'in'").run(
        Date.now() - ago,
        whatsapp.id,
        contact,
      );
    };

    // A fresh message: the window is open for a day, without a warning.
    await adminPage.goto(`${server.url}/#/cases/${caseNumber}`);
    const clock = adminPage.getByTestId('whatsapp-window');
    await clock.waitFor(WAIT);
    expect(await clock.textContent()).toMatch(/^WhatsApp window closes in 2[34] h/);
    expect(await clock.getAttribute('class')).toBe('window-clock');

    // The last message 23.5 hours old, on a case still waiting for me.
    wroteAt(23.5 * HOUR);
    expect(db.prepare('SELECT waiting_since FROM records WHERE id = ?').get(id)).not.toEqual({ waiting_since: null });
    await adminPage.reload();
    await clock.waitFor(WAIT);
    expect(await clock.textContent()).toMatch(/^WhatsApp window closes in (29|30) min — reply now/);
    expect(await clock.getAttribute('class')).toContain('window-clock-warning');
    expect(await axeViolations(adminPage, '.case-head')).toEqual([]);

    wroteAt(24 * HOUR + MINUTE);
    await adminPage.reload();
    await adminPage.getByText('WhatsApp window closed — only a template can be sent.').waitFor(WAIT);
    expect(await clock.count()).toBe(0);
  }, 40_000);
});
