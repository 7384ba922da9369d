import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { type TestServer } from './support/server.js';

// An administrator sets up a second helpline from the console alone.
const WAIT = { timeout: 15_000 };

let test: ConsoleTest | undefined;
let server: TestServer;
let admin: ApiSession;
let page: Page;

beforeAll(async () => {
  ({ server, admin } = test = await startConsoleTest());
  page = await openConsole(test);
}, 90_000);

afterAll(() => stopConsoleTest(test), 20_000);

describe('administration', () => {
  it('adds a viewer, then deactivates them', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Name').fill('Vic Viewer');
    await page.getByLabel('Email').fill('vic@example.org');
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByLabel('Initial password').fill('viewer-password-1');
    await page.getByRole('button', { name: 'Add user' }).click();
    const row = page.getByRole('row').filter({ hasText: 'vic@example.org' });
    await row.getByText('viewer', { exact: true }).waitFor(WAIT);

    await row.getByRole('button', { name: 'Edit Vic Viewer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Vic Viewer' });
    await dialog.getByLabel('Active (can log in)').uncheck();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await row.getByText('Deactivated').waitFor(WAIT);
    const login = await fetch(`${server.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'vic@example.org', password: 'viewer-password-1' }),
    });
    expect(login.status).toBe(401);
  }, 30_000);

  it('creates a survey with case management', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Surveys' }).click();
    await page.getByRole('link', { name: 'New survey' }).click();
    await page.getByLabel('Survey name').fill('Food bank');
    await page.getByRole('button', { name: 'Add question' }).click();
    await page.getByLabel('Name 4').fill('household');
    await page.getByLabel('Label 4').fill('People in the household');
    await page.getByLabel('Type 4').selectOption('integer');
    await page.getByLabel('Final status (closes the case)').selectOption('closed');
    await page.getByRole('button', { name: 'Create survey' }).click();
    await page.getByRole('row').filter({ hasText: 'Food bank' }).getByText('closed when').waitFor(WAIT);

    const surveys = await admin.expect<{ items: { name: string; questions: { name: string; type: string }[] }[] }>(200, 'GET', '/surveys');
    const created = surveys.items.find((s) => s.name === 'Food bank');
    expect(created?.questions.map((q) => `${q.name}:${q.type}`)).toEqual([
      'contact:phone',
      'conversation:conversation',
      'status:select_one',
      'household:integer',
    ]);
  }, 30_000);

  it('adds a sandbox number whose webhooks can be copied, and texts it from the simulator', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Numbers' }).click();
    await page.getByRole('link', { name: 'Add number' }).click();
    await page.getByLabel('Provider', { exact: true }).selectOption('sandbox');
    await page.getByLabel('Our number').fill('+15550100777');
    await page.getByLabel('Survey', { exact: true }).selectOption({ label: 'Food bank' });
    await page.getByRole('button', { name: 'Add number' }).click();

    const inbound = page.getByLabel('Inbound webhook URL', { exact: true });
    await inbound.waitFor(WAIT);
    expect(await inbound.inputValue()).toMatch(/\/webhooks\/sandbox\/[^/]+$/);
    expect(await page.getByLabel('Status webhook URL', { exact: true }).inputValue()).toMatch(/\/webhooks\/sandbox\/[^/]+\/status$/);
    await page.getByRole('button', { name: 'Copy Inbound webhook URL' }).click();
    await page.getByRole('button', { name: 'Copied Inbound webhook URL' }).waitFor(WAIT);

    await page.getByRole('link', { name: 'Open the phone simulator for this number' }).click();
    await page.getByLabel('Contact number').fill('+15555550777');
    await page.getByLabel('Text message').fill('Do you deliver on Sundays?');
    await page.getByRole('button', { name: 'Send text' }).click();
    await page.getByRole('list', { name: 'Messages on this phone' }).getByText('Do you deliver on Sundays?').waitFor(WAIT);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    await page.getByLabel('Survey').selectOption({ label: 'Food bank' });
    await page.getByRole('row').filter({ hasText: '+15555550777' }).getByText('Do you deliver on Sundays?').waitFor(WAIT);
  }, 40_000);
});
