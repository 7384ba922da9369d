import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { BenchApi } from './caseline-setup.js';
import { createBenchDatabase, type BenchDialect } from './databases.js';
import { warmUp, WARMUP_CONTACTS } from './ingest-bench.js';
import { runPoolLoad, round, type PoolCursor } from './load.js';
import { memoryOf, round1, startCaseline, watchMemory, type BenchProcess } from './processes.js';
import { buildTwilioPool } from './twilio-pool.js';

/**
 * Media (DESIGN.md §6), two questions:
 *
 * - Does a webhook that carries a photo cost its sender more than a text? The fetch is a job
 *   run after the answer, so it should not: full-speed rounds of text-only webhooks take
 *   turns with rounds whose every webhook carries a distinct 40 KiB JPEG, served by a local
 *   origin the server fetches from while the load runs. Ratio = media / the mean of the text
 *   rounds either side, per media round.
 * - Does serving a large item hold it in memory? A 16 MiB upload is read by 20 clients at
 *   once; the server's resident memory is watched against its idle level just before.
 */
export interface MediaBenchResult {
  measuredAt: string;
  ingest: {
    roundSeconds: number;
    /** One more than the media rounds: text rounds come before, between and after them. */
    textPerSecond: number[];
    mediaPerSecond: number[];
    /** Each media round against the mean of the text rounds before and after it. */
    ratios: number[];
    medianRatio: number;
    /** Media items of the media rounds, and how they ended once the fetches drained. */
    items: number;
    stored: number;
    failed: number;
    /**
     * Per media round: from its end until none of its items was pending. Results recorded
     * before the rounds waited for the fetches hold one figure: from the last round's end.
     */
    drainSeconds: number[] | number;
  };
  serving: {
    sizeMiB: number;
    clients: number;
    seconds: number;
    idleRssMiB: number;
    peakRssMiB: number;
    growthMiB: number;
    allBytesRight: boolean;
  };
}

const PHOTO_BYTES = 40 * 1024;
const ROUNDS = 5;
const WARM_UP_SEC = 1;

/** A JPEG's signature and a body unique to `n`, so content addressing cannot fold them into one. */
function photo(n: number): Buffer {
  const bytes = Buffer.alloc(PHOTO_BYTES, n % 251);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]).copy(bytes);
  bytes.writeUInt32BE(n, 16);
  bytes[bytes.length - 2] = 0xff;
  bytes[bytes.length - 1] = 0xd9;
  return bytes;
}

async function startOrigin(): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    const n = Number(/\/photo\/(\d+)/.exec(req.url ?? '')?.[1] ?? NaN);
    if (!Number.isFinite(n)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': PHOTO_BYTES }).end(photo(n));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

export async function measureMedia(
  dialect: BenchDialect,
  options: { durationSec: number; connections: number; log: (line: string) => void },
): Promise<MediaBenchResult> {
  const { log } = options;
  const origin = await startOrigin();
  const database = await createBenchDatabase(dialect);
  const server = await startCaseline({ databaseUrl: database.url, dataDir: database.dir, twilioApiUrl: origin.url });
  try {
    const api = await BenchApi.login(server.url);
    const surveyId = await api.createSurvey();
    const number = await api.createTwilioNumber(surveyId);
    const warm = await warmUp(server, database.config, number, surveyId, WARMUP_CONTACTS);
    const roundSeconds = options.durationSec / 2;
    const size = Math.ceil(12_000 * (roundSeconds * (ROUNDS + 1) + WARM_UP_SEC * (2 * ROUNDS + 1)));
    const common = {
      publicUrl: server.url,
      webhookPath: number.webhookPath,
      accountSid: number.accountSid,
      authToken: number.authToken,
      size,
      existing: warm.cases,
    };
    const pools = {
      text: buildTwilioPool({ ...common, newContactStart: 10_000_000, seed: 7 }),
      media: buildTwilioPool({
        ...common,
        newContactStart: 20_000_000,
        seed: 7,
        media: (i) => ({
          url: `${origin.url}/2010-04-01/Accounts/${number.accountSid}/Messages/MM${i}/Media/photo/${i}`,
          contentType: 'image/jpeg',
        }),
      }),
    };
    const cursors: Record<'text' | 'media', PoolCursor> = { text: { next: 0, wrap: false }, media: { next: 0, wrap: false } };
    const textPerSecond: number[] = [];
    const mediaPerSecond: number[] = [];
    const run = async (kind: 'text' | 'media', durationSec = roundSeconds) => {
      const result = await runPoolLoad({
        url: server.url,
        pool: pools[kind],
        cursor: cursors[kind],
        connections: options.connections,
        durationSec,
      });
      if (result.statusCounts['200'] !== result.acknowledged.size || Object.keys(result.statusCounts).some((s) => s !== '200')) {
        throw new Error(`${kind} round: answers ${JSON.stringify(result.statusCounts)}`);
      }
      return result.perSecond2xx;
    };
    // Text and media rounds alternate, starting and ending with text, and each media round is
    // compared with the mean of the text rounds either side of it. Every round runs on a
    // database the rounds before it have grown (and on PostgreSQL with autovacuum off, bloated),
    // so rates drift round by round; the mean of the rounds on both sides cancels a steady drift,
    // where a ratio to the round before or after alone would count it as the cost of media.
    // Each round starts once the photos of the rounds before it are fetched: otherwise whichever
    // round came next carried their fetches (a text round as much as a media one), and the
    // ratio measured where the rounds fell against the backlog rule's 20 s (docs/decisions.md
    // "Webhooks first") more than the webhook's own cost. A media round still carries the
    // fetches its own photos start while it runs.
    const db = await openDatabase(database.config, { listen: false });
    const drainSeconds: number[] = [];
    const fetchedDuring: number[] = [];
    let counts: MediaCounts = { items: 0, stored: 0, failed: 0, pending: 0 };
    try {
      const tidy = tidierBetweenRounds(database.config, db);
      const measure = async (kind: 'text' | 'media') => {
        await tidy();
        // Unmeasured, as the drain before it left the server quiet long enough for its SQLite
        // threads to stop (src/db/sqlite/idle-thread.ts): they start again here.
        await run('text', WARM_UP_SEC);
        return round(await run(kind));
      };
      const drain = async () => {
        const started = performance.now();
        const before = counts.stored + counts.failed;
        const atEnd = await mediaCounts(db);
        fetchedDuring.push(atEnd.stored + atEnd.failed - before);
        counts = await fetchesDrained(db, started);
        drainSeconds.push(round((performance.now() - started) / 1000));
      };
      textPerSecond.push(await measure('text'));
      for (let r = 1; r <= ROUNDS; r += 1) {
        mediaPerSecond.push(await measure('media'));
        await drain();
        textPerSecond.push(await measure('text'));
        log(
          `  round ${r}: text before ${textPerSecond.at(-2)}/s, with a photo each ${mediaPerSecond.at(-1)}/s, text after ${textPerSecond.at(-1)}/s; ` +
            `${fetchedDuring.at(-1)} of its photos fetched while it ran, all ${drainSeconds.at(-1)} s after it ended`,
        );
      }
    } finally {
      await db.close();
    }
    const ratios = mediaPerSecond.map((media, i) => round(media / ((textPerSecond[i]! + textPerSecond[i + 1]!) / 2), 3));
    log(`  fetched: ${counts.stored} stored, ${counts.failed} failed, ${counts.pending} pending of ${counts.items}`);
    const serving = await measureServing(server, api, 20, log);
    return {
      measuredAt: new Date().toISOString(),
      ingest: {
        roundSeconds,
        textPerSecond,
        mediaPerSecond,
        ratios,
        medianRatio: [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!,
        items: counts.items,
        stored: counts.stored,
        failed: counts.failed,
        drainSeconds,
      },
      serving,
    };
  } finally {
    await server.stop();
    await database.drop();
    await new Promise((resolve) => origin.server.close(resolve));
  }
}

/**
 * On PostgreSQL, a `VACUUM` of the bench's database before each round (not timed): every
 * message to an open case leaves a dead row version, and with autovacuum off (as on the
 * machines these figures come from) each round would run slower than the one before for
 * that alone; the server's default, autovacuum on, clears them as it goes.
 */
/**
 * Before each round: the database's pages written out (the fetches store 40 KiB a photo, and
 * a checkpoint of them left to run into the next round slows it for that alone), and on
 * PostgreSQL vacuumed (see the rounds' comment).
 */
function tidierBetweenRounds(config: DatabaseConfig, db: Db): () => Promise<void> {
  if (config.dialect !== 'pg') {
    return async () => {
      await sql`pragma wal_checkpoint(truncate)`.execute(db.kysely);
    };
  }
  return async () => {
    await sql`checkpoint`.execute(db.kysely);
    await sql`vacuum (analyze)`.execute(db.kysely);
  };
}

interface MediaCounts {
  items: number;
  stored: number;
  failed: number;
  pending: number;
}

/** Waits until no media item is pending (five minutes at most), and counts them by how they ended. */
async function mediaCounts(db: Db): Promise<MediaCounts> {
  const rows = await db.kysely
    .selectFrom('media')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const by = Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  return {
    items: rows.reduce((sum, row) => sum + Number(row.n), 0),
    stored: by.stored ?? 0,
    failed: by.failed ?? 0,
    pending: by.pending ?? 0,
  };
}

/** Waits until no media item is pending (five minutes at most). */
async function fetchesDrained(db: Db, started: number): Promise<MediaCounts> {
  for (;;) {
    const counts = await mediaCounts(db);
    if (counts.pending === 0 || performance.now() - started > 300_000) return counts;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function measureServing(
  server: BenchProcess,
  api: BenchApi,
  clients: number,
  log: (line: string) => void,
): Promise<MediaBenchResult['serving']> {
  const size = 16 * 1024 * 1024;
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
  // An MP4's signature, so the item is served inline as video, as a voice note or clip would be.
  Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32]).copy(bytes);
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'video/mp4' }), 'clip.mp4');
  const upload = await fetch(`${server.url}/api/v1/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}` },
    body: form,
  });
  if (upload.status !== 201) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
  const { id } = (await upload.json()) as { id: string };
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const idle = round1(memoryOf(server.pid)?.rssMiB ?? NaN);
  const memory = watchMemory(server.pid, 50);
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: clients }, async () => {
      const res = await fetch(`${server.url}/api/v1/media/${id}`, { headers: { authorization: `Bearer ${api.token}` } });
      let received = 0;
      let same = res.status === 200;
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const piece = Buffer.from(value);
        if (same && !piece.equals(bytes.subarray(received, received + piece.length))) same = false;
        received += piece.length;
      }
      return same && received === size;
    }),
  );
  const seconds = round((performance.now() - started) / 1000, 2);
  const { phasePeakRssMiB } = memory.stop();
  const growth = round1(phasePeakRssMiB - idle);
  log(`  serving 16 MiB to ${clients} clients at once: ${seconds} s; RSS ${idle} MiB idle, peak ${phasePeakRssMiB} MiB (+${growth} MiB)`);
  return {
    sizeMiB: 16,
    clients,
    seconds,
    idleRssMiB: idle,
    peakRssMiB: phasePeakRssMiB,
    growthMiB: growth,
    allBytesRight: answers.every(Boolean),
  };
}
