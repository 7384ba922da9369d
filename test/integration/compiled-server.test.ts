import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { PROJECT_ROOT } from '../../src/server.js';
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

  // Packed, the thread's modules are files beside dist/main.js. Were one missing, the webhook
  // above would still be stored, on the main thread, and only this warning would tell.
  it.runIf(dialect === 'sqlite')('stores that webhook on its SQLite ingest thread: nothing says the thread stopped', () => {
    expect(server!.output()).toContain('Caseline is serving');
    expect(server!.output()).not.toContain('the ingest thread stopped');
  });

  // The writer thread loads its own modules: compiled, they must be JavaScript beside it.
  it.runIf(dialect === 'sqlite')('stores inbound batches on its SQLite writer thread, compiled as well', { timeout: 60_000 }, async () => {
    const dist = (module: string) => JSON.stringify(new URL(`dist/compiled/${module}`, `file://${PROJECT_ROOT}/`).href);
    const script = `
      const { readConfig } = await import(${dist('config.js')});
      const { createCaseline } = await import(${dist('server.js')});
      const { ensureDemo, ensureFirstAdmin, firstAdminActor } = await import(${dist('services/bootstrap.js')});
      const config = { ...readConfig({ CASELINE_DATA_DIR: ${JSON.stringify(dir)} }), database: { dialect: 'sqlite', path: ${JSON.stringify(join(dir, 'thread.db'))} } };
      const caseline = await createCaseline(config);
      await ensureFirstAdmin(caseline.services.ctx, { email: 'admin@example.org', password: 'correct-horse-battery' });
      const actor = await firstAdminActor(caseline.services.ctx, 'admin@example.org');
      await ensureDemo(caseline.services.ctx, caseline.services.numbers, actor);
      const [number] = await caseline.db.kysely.selectFrom('numbers').select('id').execute();
      await caseline.services.simulator.send(actor, number.id, { from: '+447700900123', text: 'hello' });
      console.log(JSON.stringify({ onThread: caseline.ingestThread?.batchesStored }));
      await caseline.close();`;
    // A file, not `node -e`: a worker thread inherits the process's options, `-e` included.
    const probe = join(dir, 'probe.mjs');
    writeFileSync(probe, script);
    const { stdout } = await promisify(execFile)(process.execPath, [probe], {
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ onThread: 1 });
  });
});
