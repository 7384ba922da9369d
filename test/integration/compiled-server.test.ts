import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { buildCompiled, COMPILED_MAIN } from '../support/compiled.js';
import { describeEachDialect, freshDatabase } from '../support/dialects.js';
import { serverEnv, setUpTwilioNumber, twilioDelivery } from '../support/fault-kit.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * DESIGN.md §12: `npm start` runs the compiled server (dist/main.js) under plain node, with
 * no TypeScript loader; it serves the API, the console built into dist/web, and webhooks.
 */
describeEachDialect('the compiled server under plain node', (dialect) => {
  let dir = '';
  let database: { config: DatabaseConfig; drop(): Promise<void> };
  let server: ServerProcess | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-compiled-'));
    database = await freshDatabase(dialect, dir);
    await buildCompiled();
    const port = await freePort();
    // NODE_OPTIONS emptied: nothing may slip a loader into the child.
    server = await startServerProcess(serverEnv(database.config, dir, { PUBLIC_URL: `http://127.0.0.1:${port}`, NODE_OPTIONS: '' }), {
      port,
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs dist/main.js itself, with no loader among its arguments', () => {
    expect(server!.child.spawnargs.slice(1)).toEqual([COMPILED_MAIN]);
  });

  it('answers /healthz', async () => {
    const res = await fetch(`${server!.url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('serves the console and its script from dist/web', async () => {
    const page = await fetch(`${server!.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const script = /<script type="module"[^>]* src="([^"]+)"/.exec(await page.text())?.[1];
    expect(script).toBeTruthy();
    const bundle = await fetch(`${server!.url}${script}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
  });

  it('stores an inbound webhook as a new case', { timeout: 60_000 }, async () => {
    const setup = await setUpTwilioNumber(server!.url);
    const { url, delivery } = twilioDelivery(server!.url, setup, { from: '+447700900123', text: 'hello', sid: 'SMcompiled0001' });
    const res = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
    expect(res.status).toBe(200);
    const list = await fetch(`${server!.url}/api/v1/surveys/${setup.surveyId}/records?status=all`, {
      headers: { authorization: `Bearer ${setup.token}` },
    });
    const { items } = (await list.json()) as { items: { contact: string }[] };
    expect(items.map((item) => item.contact)).toEqual(['+447700900123']);
  });
});
