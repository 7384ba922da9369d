import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ConfigError, readConfig, type Config, type DatabaseConfig } from '../../src/config.js';
import { createCaseline } from '../../src/server.js';
import { describeEachDialect, freshDatabase } from '../support/dialects.js';

const KEY_A = 'the-first-secret-key-long-enough-aaaa';
const KEY_B = 'another-secret-key-also-long-enough-bb';

/** DESIGN.md §12: a server refuses to start when its key cannot open the stored credentials. */
describeEachDialect('the secret key', (dialect) => {
  let dir: string;
  let database: { config: DatabaseConfig; drop(): Promise<void> };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-key-'));
    database = await freshDatabase(dialect, dir);
  });
  afterEach(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const configWith = (env: Record<string, string>, dataDir = dir): Config => ({
    ...readConfig({ CASELINE_DATA_DIR: dataDir, ...env }),
    database: database.config,
  });

  async function startAndStop(config: Config, work?: (caseline: Awaited<ReturnType<typeof createCaseline>>) => Promise<void>) {
    const caseline = await createCaseline(config);
    try {
      await work?.(caseline);
    } finally {
      await caseline.close();
    }
  }

  it('a server started with another key than the one that sealed a number refuses to start, naming the variable', async () => {
    await startAndStop(configWith({ CASELINE_SECRET_KEY: KEY_A }), async (caseline) => {
      await caseline.db.transaction(async (tx) => {
        await caseline.db.createOrganisation(tx, { id: 'org-1', name: 'One', createdAt: Date.now() });
      });
    });
    const refused = createCaseline(configWith({ CASELINE_SECRET_KEY: KEY_B }));
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(/CASELINE_SECRET_KEY/);
    await startAndStop(configWith({ CASELINE_SECRET_KEY: KEY_A }), async (caseline) => {
      const health = await caseline.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok', secretKey: 'ok' });
    });
  });

  it('a second server without the key, which would generate its own, refuses to start', async () => {
    await startAndStop(configWith({ CASELINE_SECRET_KEY: KEY_A }));
    const otherDataDir = mkdtempSync(join(tmpdir(), 'caseline-key-other-'));
    try {
      await expect(createCaseline(configWith({}, otherDataDir))).rejects.toThrow(/CASELINE_SECRET_KEY/);
    } finally {
      rmSync(otherDataDir, { recursive: true, force: true });
    }
  });

  it('a database from before the check value is checked against its sealed credentials', async () => {
    await startAndStop(configWith({ CASELINE_SECRET_KEY: KEY_A }), async (caseline) => {
      const { db, services } = caseline;
      await db.transaction((tx) => db.createOrganisation(tx, { id: 'org-1', name: 'One', createdAt: Date.now() }));
      await db.kysely
        .insertInto('surveys')
        .values({
          id: 's1',
          org_id: 'org-1',
          name: 'S',
          questions: '[]',
          case_management: null,
          auto_assign: 0,
          created_at: 1,
          updated_at: 1,
        })
        .execute();
      await db.kysely
        .insertInto('numbers')
        .values({
          id: 'n1',
          org_id: 'org-1',
          survey_id: 's1',
          provider: 'sandbox',
          channel: 'sms',
          our_number: '+447700900000',
          their_number_question: 'phone',
          conversation_question: 'conversation',
          multi_case_reply: null,
          credentials: services.ctx.secrets.seal({ webhookSecret: 'x'.repeat(20) }),
          templates: '[]',
          send_rate_per_second: 1,
          next_send_at: 0,
          created_at: 1,
          updated_at: 1,
          deleted_at: null,
          webhook_token: 'n1',
        })
        .execute();
      // As if the database came from a release without the check value.
      await db.kysely.deleteFrom('server_settings').execute();
    });
    await expect(createCaseline(configWith({ CASELINE_SECRET_KEY: KEY_B }))).rejects.toThrow(/CASELINE_SECRET_KEY/);
    await startAndStop(configWith({ CASELINE_SECRET_KEY: KEY_A }));
  });

  it('the generated key file is used again on the next start', async () => {
    await startAndStop(configWith({}));
    const generated = readFileSync(join(dir, 'secret.key'), 'utf8');
    await startAndStop(configWith({}));
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).toBe(generated);
  });
});
