import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ApiSession } from './support/api.js';
import { screenshot } from './support/browser.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { ADMIN, type TestServer } from './support/server.js';

// An analyst turns on two-factor sign-in in their account and signs in with it; an
// organisation that requires it sends a new admin straight to enrolment.
const WAIT = { timeout: 15_000 };
const ANALYST = { email: 'tfa@example.org', password: 'analyst-password-1' };

/**
 * The code an authenticator shows one step from now: after the step a code of "now" was
 * used in, and still inside the server's ±1 step window.
 */
const nextCode = (secret: string) => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
/** The code an authenticator shows now. */
const codeNow = (secret: string) => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) });

let test: ConsoleTest | undefined;
let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  test = await startConsoleTest();
  ({ server, browser } = test);
  await test.admin.expect(201, 'POST', '/users', { ...ANALYST, name: 'Tia Twofactor', role: 'analyst' });
  page = await openConsole(test, ANALYST, { width: 1280, height: 900 });
}, 90_000);

afterAll(async () => stopConsoleTest(test), 20_000);

describe('two-factor sign-in', () => {
  it('enrols in the account screen (QR code, secret, ten recovery codes) and then signs in with a code', async () => {
    await page.getByRole('link', { name: /My account/ }).click();
    await page.getByRole('heading', { name: 'My account' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await page.getByRole('img', { name: 'QR code of the two-factor secret' }).waitFor(WAIT);
    const secret = await page.getByLabel('Secret', { exact: true }).inputValue();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);

    await page.getByLabel('Code from the app').fill('000000' === nextCode(secret) ? '111111' : '000000');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('The code is wrong or was used already').waitFor(WAIT);

    // This step's code confirms; signing in then takes the next step's, as a code works only once.
    await page.getByLabel('Code from the app').fill(codeNow(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor(WAIT);
    expect(await codes.count()).toBe(10);
    await screenshot(page, 'two-factor-recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText('Two-factor sign-in is on.', { exact: true }).waitFor(WAIT);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Email').fill(ANALYST.email);
    await page.getByLabel('Password').fill(ANALYST.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor(WAIT);
    await page.getByLabel('Authentication code').fill(nextCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor(WAIT);
  }, 60_000);

  it('under a policy for admins, a new admin lands on enrolment with an explanation and nothing else opens', async () => {
    const admin = await ApiSession.login(server.url, ADMIN.email, ADMIN.password);
    const newcomer = { email: 'newadmin@example.org', password: 'new-admin-password-1' };
    await admin.expect(201, 'POST', '/users', { ...newcomer, name: 'Nia Newadmin', role: 'admin' });
    await admin.expect(200, 'PATCH', '/organisation', { requireTwoFactor: 'admins' });

    const other = await (await browser.newContext()).newPage();
    await other.goto(`${server.url}/`);
    await other.getByLabel('Email').fill(newcomer.email);
    await other.getByLabel('Password').fill(newcomer.password);
    await other.getByRole('button', { name: 'Log in' }).click();
    await other.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor(WAIT);
    await other.getByText(/asks everyone in your role to sign in with a code/).waitFor(WAIT);
    await other.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    const secret = await other.getByLabel('Secret', { exact: true }).inputValue();
    await other.getByLabel('Code from the app').fill(nextCode(secret));
    await other.getByRole('button', { name: 'Turn on' }).click();
    await other.getByRole('button', { name: 'I have saved them' }).click();
    await other.getByRole('button', { name: 'Log out' }).waitFor(WAIT);
    await other.getByRole('link', { name: 'Organisation' }).click();
    await other.getByLabel('Two-factor sign-in').waitFor(WAIT);
    expect(await other.getByLabel('Two-factor sign-in').inputValue()).toBe('admins');
  }, 60_000);
});
