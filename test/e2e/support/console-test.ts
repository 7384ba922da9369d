import type { Browser, Page } from 'playwright-core';
import { ApiSession } from './api.js';
import { launchBrowser, logIn } from './browser.js';
import { ADMIN, startServer, type TestServer } from './server.js';

/** What every console test starts: a server, a browser, and the admin's API session. */
export interface ConsoleTest {
  server: TestServer;
  browser: Browser;
  admin: ApiSession;
}

export const DESKTOP = { width: 1280, height: 800 } as const;

export async function startConsoleTest(extraEnv: Record<string, string> = {}): Promise<ConsoleTest> {
  const server = await startServer(extraEnv);
  const browser = await launchBrowser();
  const admin = await ApiSession.login(server.url, ADMIN.email, ADMIN.password);
  return { server, browser, admin };
}

/** A page with cookies of its own, logged in through the login screen. */
export async function openConsole(
  test: Pick<ConsoleTest, 'server' | 'browser'>,
  user: { email: string; password: string } = ADMIN,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<Page> {
  const page = await (await test.browser.newContext({ viewport })).newPage();
  await logIn(page, test.server.url, user.email, user.password);
  return page;
}

/** Teardown that also runs when set-up failed half-way. */
export async function stopConsoleTest(test: Partial<Pick<ConsoleTest, 'server' | 'browser'>> | undefined): Promise<void> {
  await test?.browser?.close();
  await test?.server?.stop();
}
