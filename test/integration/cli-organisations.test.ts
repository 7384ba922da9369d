import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readConfig, type DatabaseConfig } from '../../src/config.js';
import { createCaseline, type Caseline } from '../../src/server.js';
import { describeEachDialect, freshDatabase } from '../support/dialects.js';
import { repoRoot } from '../e2e/support/server.js';

const run = promisify(execFile);
const SECRET = 'cli-test-secret-key-long-enough-12345';

/** `npx caseline org add` (DESIGN.md §13): a hosted set-up serves several organisations, kept apart. */
describeEachDialect('organisations from the command line', (dialect) => {
  let dir: string;
  let database: { config: DatabaseConfig; drop(): Promise<void> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-cli-'));
    database = await freshDatabase(dialect, dir);
  });
  afterAll(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const databaseUrl = () => (database.config.dialect === 'sqlite' ? `sqlite:${database.config.path}` : database.config.url);
  const cli = (...args: string[]) =>
    run(process.execPath, [join(repoRoot, 'bin', 'caseline.js'), ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl(), CASELINE_SECRET_KEY: SECRET, CASELINE_DATA_DIR: dir },
    });

  async function withServer<T>(work: (caseline: Caseline) => Promise<T>): Promise<T> {
    const caseline = await createCaseline({
      ...readConfig({ CASELINE_DATA_DIR: dir, CASELINE_SECRET_KEY: SECRET }),
      database: database.config,
    });
    try {
      return await work(caseline);
    } finally {
      await caseline.close();
    }
  }

  async function login(caseline: Caseline, email: string, password: string) {
    const res = await caseline.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
    expect(res.statusCode, res.body).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'caseline_session')!;
    return { cookie: `${cookie.name}=${cookie.value}`, csrf: res.json<{ csrfToken: string }>().csrfToken };
  }

  it('two organisations made with `org add` each have their admin, and neither sees the other', { timeout: 60_000 }, async () => {
    const first = await cli('org', 'add', '--name', 'Helpline North', '--email', 'north@example.org', '--password', 'north-password-1');
    expect(first.stdout).toContain('Created organisation "Helpline North"');
    const second = await cli('org', 'add', '--name', 'Helpline South', '--email', 'south@example.org');
    const generated = /Password: (\S+)/.exec(second.stdout)?.[1];
    expect(generated, second.stdout).toBeTruthy();
    expect((await cli('org', 'list')).stdout).toMatch(/Helpline North[\s\S]*Helpline South/);

    await withServer(async (caseline) => {
      const north = await login(caseline, 'north@example.org', 'north-password-1');
      const south = await login(caseline, 'south@example.org', generated!);
      const created = await caseline.app.inject({
        method: 'POST',
        url: '/api/v1/surveys',
        headers: { cookie: north.cookie, 'x-csrf-token': north.csrf },
        payload: { name: 'North only', questions: [{ name: 'topic', label: 'Topic', type: 'text' }], caseManagement: null },
      });
      expect(created.statusCode, created.body).toBe(201);
      const surveyId = created.json<{ id: string }>().id;

      const southList = await caseline.app.inject({ method: 'GET', url: '/api/v1/surveys', headers: { cookie: south.cookie } });
      expect(southList.json<{ items?: unknown[] }>().items ?? southList.json()).toEqual([]);
      const southRead = await caseline.app.inject({ method: 'GET', url: `/api/v1/surveys/${surveyId}`, headers: { cookie: south.cookie } });
      expect(southRead.statusCode).toBe(404);
    });
  });

  it('a bad organisation is refused with a clear line and leaves nothing behind', { timeout: 60_000 }, async () => {
    const before = (await cli('org', 'list')).stdout;
    await expect(cli('org', 'add', '--name', 'Short password', '--email', 'x@example.org', '--password', 'short')).rejects.toMatchObject({
      stderr: expect.stringContaining('at least 10 characters'),
    });
    await expect(cli('org', 'add', '--email', 'y@example.org')).rejects.toMatchObject({ stderr: expect.stringContaining('--name') });
    expect((await cli('org', 'list')).stdout).toBe(before);
  });
});
