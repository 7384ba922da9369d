import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { MEDIA_FETCH_JOB } from '../../src/domain/media.js';
import { MEDIA_FETCH_SCHEDULE } from '../../src/services/media/fetch-media.js';
import { DatabaseMediaStore } from '../../src/storage/database-media-store.js';
import { describeEachDialect, freshDatabase } from '../support/dialects.js';
import { serverEnv, setUpTwilioNumber, type TwilioSetup } from '../support/fault-kit.js';
import { deliverWebhook } from '../support/fake-server.js';
import { signTwilioWebhook, startFakeTwilio, twilioInboundFields, type FakeTwilio } from '../support/fake-twilio.js';
import { photo } from '../support/media-files.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * DESIGN.md §6: the webhook is acknowledged once the message is committed with its media
 * `pending`, and the fetch is a durable job. A server killed with SIGKILL after storing the
 * message, while the provider holds the download open, fetches the file after a restart.
 */
describeEachDialect('inbound media are fetched after a crash', (dialect) => {
  let dir = '';
  let database: { config: DatabaseConfig; drop(): Promise<void> };
  let env: Record<string, string>;
  let port = 0;
  let server: ServerProcess | null = null;
  let setup: TwilioSetup;
  let twilio: FakeTwilio;
  let db: Db;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-fault-media-'));
    database = await freshDatabase(dialect, dir);
    port = await freePort();
    env = serverEnv(database.config, dir, { PUBLIC_URL: `http://127.0.0.1:${port}` });
    server = await startServerProcess(env, { port });
    setup = await setUpTwilioNumber(server.url);
    twilio = await startFakeTwilio({ accounts: { [setup.accountSid]: setup.authToken } });
    db = await openDatabase(database.config, { listen: false });
  }, 60_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await twilio?.close();
    await db?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const mediaOfNumber = () => db.kysely.selectFrom('media').selectAll().where('number_id', '=', setup.numberId).executeTakeFirstOrThrow();

  it('SIGKILL while the provider holds the download: after a restart the file is stored, byte for byte', async () => {
    const file = photo(11);
    const kept = twilio.addMedia(setup.accountSid, { bytes: file.bytes, contentType: file.contentType });
    twilio.storage.failNext(kept.stored, 'hang');
    const url = `${server!.url}${setup.webhookPath}`;
    const fields = twilioInboundFields({
      from: '+447700900123',
      to: '+447700900001',
      text: 'Photo of the damp',
      accountSid: setup.accountSid,
      media: [{ url: kept.url, contentType: kept.contentType }],
    });
    expect((await deliverWebhook(url, signTwilioWebhook(url, fields, setup.authToken))).status).toBe(200);

    // The server's job worker has claimed the fetch, and the provider is holding it.
    await expect.poll(() => twilio.storage.downloads.some((d) => d.target === kept.stored), { timeout: 10_000 }).toBe(true);
    await server!.stop('SIGKILL');
    const pending = await mediaOfNumber();
    expect(pending).toMatchObject({ status: 'pending', blob_id: null });
    const job = await db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', MEDIA_FETCH_JOB)
      .where('subject_id', '=', pending.id)
      .executeTakeFirstOrThrow();
    expect(job.state).toBe('running');

    server = await startServerProcess(env, { port });
    // The dead worker's claim runs out after MEDIA_FETCH_SCHEDULE.claimMs; the test moves
    // it into the past rather than wait that long. The restarted worker claims it again.
    expect(MEDIA_FETCH_SCHEDULE.claimMs).toBeGreaterThan(MEDIA_FETCH_SCHEDULE.attemptMs);
    await db.kysely.updateTable('jobs').set({ claimed_until: 1, due_at: 1 }).where('id', '=', job.id).execute();
    await expect.poll(async () => (await mediaOfNumber()).status, { timeout: 15_000, interval: 100 }).toBe('stored');

    const stored = await mediaOfNumber();
    // The provider's name for its copy stays, for retention and erasure to delete it there.
    expect(stored).toMatchObject({ content_type: 'image/png', source: expect.stringContaining('/Media/') });
    expect(Number(stored.size)).toBe(file.bytes.length);
    const chunks: Buffer[] = [];
    for await (const chunk of await new DatabaseMediaStore(db, Date.now).open(stored.blob_id!)) chunks.push(chunk as Buffer);
    expect(Buffer.compare(Buffer.concat(chunks), file.bytes)).toBe(0);
    expect(await db.kysely.selectFrom('jobs').select('id').where('id', '=', job.id).executeTakeFirst()).toBeUndefined();
  }, 120_000);
});
