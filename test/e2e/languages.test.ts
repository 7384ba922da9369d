import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ApiSession } from './support/api.js';
import { screenshot } from './support/browser.js';
import { DESKTOP, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';

/**
 * The console in the user's language (DESIGN.md §11): Arabic mirrors the layout while a
 * message keeps its own direction, French writes dates the French way, and a choice made on
 * the account screen is stored and shown at once.
 */
const WAIT = { timeout: 15_000 };
const LATIN = 'Hello, I need help with my delivery';
const ARABIC = 'مرحبا، أحتاج إلى مساعدة';
const CONTACT = '+15555550161';

let test: ConsoleTest;

async function userWithLanguage(name: string, language: string | null) {
  const email = `${name}@example.org`;
  const password = 'a-long-enough-password';
  await test.admin.expect(201, 'POST', '/users', { email, name, role: 'analyst', password });
  const session = await ApiSession.login(test.server.url, email, password);
  if (language) await session.expect(200, 'PATCH', '/users/me', { language });
  return { email, password, session };
}

/** Logs in through the login screen (in the browser's English) and waits for the console, whatever its language. */
async function openConsole(user: { email: string; password: string }): Promise<Page> {
  const page = await (await test.browser.newContext({ viewport: DESKTOP })).newPage();
  await page.goto(`${test.server.url}/`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('.app-header').waitFor(WAIT);
  return page;
}

const box = async (page: Page, selector: string) => {
  const found = await page.locator(selector).first().boundingBox();
  if (!found) throw new Error(`${selector} is not on the page`);
  return found;
};

beforeAll(async () => {
  test = await startConsoleTest();
}, 90_000);

afterAll(async () => {
  await stopConsoleTest(test);
}, 20_000);

describe('console languages', () => {
  it('in Arabic the console is right to left and mirrored, and a Latin message still reads left to right', async () => {
    const number = await test.admin.sandboxNumber();
    await test.admin.textIn(number.id, CONTACT, LATIN);
    await test.admin.textIn(number.id, CONTACT, ARABIC);
    const user = await userWithLanguage('amal', 'ar');
    const page = await openConsole(user);

    await page.getByRole('navigation').getByRole('link', { name: 'الحالات' }).waitFor(WAIT);
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
    // Mirrored: the brand, first in the header, sits at the right; the user's controls at the left.
    const brand = await box(page, '.brand');
    const controls = await box(page, '.header-user');
    expect(brand.x).toBeGreaterThan(controls.x);

    await page
      .getByRole('row')
      .filter({ hasText: /مرحبا|Hello, I need/ })
      .getByRole('link', { name: /^#\d+$/ })
      .first()
      .click();
    const latin = page.locator('.bubble').filter({ hasText: LATIN }).locator('[dir="auto"]').first();
    const arabic = page.locator('.bubble').filter({ hasText: ARABIC }).locator('[dir="auto"]').first();
    await latin.waitFor(WAIT);
    expect(await latin.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
    expect(await arabic.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    // A message from the person sits on the start side of the conversation: the right, in Arabic.
    await screenshot(page, 'case-screen-arabic');
    const conversation = await box(page, '.msg-in');
    const bubble = await box(page, '.msg-in .bubble');
    expect(bubble.x + bubble.width).toBeGreaterThan(conversation.x + conversation.width - 2);
    await page.context().close();
  }, 90_000);

  it('in French the console writes dates and times the French way', async () => {
    const user = await userWithLanguage('florence', 'fr');
    const token = await user.session.expect<{ id: string }>(201, 'POST', '/tokens', { name: 'script', expiresInDays: 40 });
    const tokens = await user.session.expect<{ items: Array<{ id: string; expiresAt: string }> }>(200, 'GET', '/tokens');
    const expiresAt = new Date(tokens.items.find((t) => t.id === token.id)!.expiresAt);
    const page = await openConsole(user);

    await page.getByRole('navigation').getByRole('link', { name: 'Dossiers' }).waitFor(WAIT);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    await page.goto(`${test.server.url}/#/account`);
    const expiry = page.locator('time').filter({ hasText: new Intl.DateTimeFormat('fr', { month: 'short' }).format(expiresAt) });
    await expiry.first().waitFor(WAIT);
    const shown = await expiry.first().innerText();
    // "sam. 9 janv. 2027, 14:05" or "jeu. 31 déc., 14:05": day before month, a 24-hour clock.
    expect(shown).toMatch(new RegExp(`${expiresAt.getDate()} ${new Intl.DateTimeFormat('fr', { month: 'short' }).format(expiresAt)}`));
    expect(shown).toMatch(/\b\d{2}:\d{2}$/);
    expect(shown).not.toMatch(/AM|PM/);
    await page.context().close();
  }, 90_000);

  it('a language chosen on the account screen shows at once, is kept on the account and survives a reload', async () => {
    const user = await userWithLanguage('sam', null);
    const page = await openConsole(user);
    await page.goto(`${test.server.url}/#/account`);
    await page.getByLabel('Language of the console').selectOption('es');
    await page.getByRole('navigation').getByRole('link', { name: 'Casos' }).waitFor(WAIT);
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['es', 'ltr']);
    expect((await user.session.expect<{ language: string | null }>(200, 'GET', '/users/me')).language).toBe('es');

    await page.reload();
    await page.getByRole('navigation').getByRole('link', { name: 'Casos' }).waitFor(WAIT);
    await page.getByLabel('Idioma de la consola').selectOption('');
    await page.getByRole('navigation').getByRole('link', { name: 'Cases' }).waitFor(WAIT);
    expect((await user.session.expect<{ language: string | null }>(200, 'GET', '/users/me')).language).toBeNull();
    await page.context().close();
  }, 90_000);
  it('before signing in, the login screen can be switched to another language, which this browser remembers', async () => {
    const page = await (await test.browser.newContext({ viewport: DESKTOP })).newPage();
    await page.goto(`${test.server.url}/`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor(WAIT);
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: 'Connexion' }).waitFor(WAIT);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    await page.reload();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor(WAIT);
    await page.getByLabel('E-mail').fill('nobody@example.org');
    await page.getByLabel('Mot de passe').fill('not-the-password');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    // A refusal is explained in the screen's language, from the error's code.
    await page.getByRole('alert').getByText('L’adresse e-mail ou le mot de passe est incorrect.').waitFor(WAIT);
    await page.context().close();
  }, 60_000);
});
