import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../src/server.js';
import pg from 'pg';
import { formatRanked, mapToSources, summariseProfile, type CpuProfile, type ProfileSummary, type SourceMapPayload } from './cpuprofile.js';
import { createBenchDatabase, PG_ADMIN_URL, type BenchDialect } from './databases.js';
import { loginAndSetUp, warmUp, WARMUP_CONTACTS } from './ingest-bench.js';
import { runPoolLoad, round, type LoadFigures } from './load.js';
import { watchThreadState } from './machine.js';
import { startCaseline } from './processes.js';
import { statementCensus, type Census } from './statement-census.js';
import { buildTwilioPool } from './twilio-pool.js';

/**
 * A CPU profile of the server under full ingest load (`node --cpu-prof`), summarised to
 * the functions and areas that took the time, with the SQL each webhook costs and, on
 * PostgreSQL, what the database sessions were waiting on while the load ran.
 */
export interface ProfileResult {
  load: LoadFigures;
  summary: ProfileSummary;
  census: Census;
  /** PostgreSQL only: share of sampled backend states, and transactions per message. */
  postgres?: { waits: Array<{ state: string; share: number }>; commitsPerMessage: number; samples: number };
  text: string;
}

export async function runProfile(
  dialect: BenchDialect,
  options: {
    durationSec: number;
    connections: number;
    poolSize: number;
    /** Every webhook carries a photo (its fetch, a job after the answer, finds nothing). */
    media: boolean;
    log: (line: string) => void;
  },
): Promise<ProfileResult> {
  const database = await createBenchDatabase(dialect);
  const profileDir = mkdtempSync(join(tmpdir(), 'caseline-cpuprofile-'));
  try {
    const server = await startCaseline({
      databaseUrl: database.url,
      dataDir: database.dir,
      twilioApiUrl: 'http://127.0.0.1:9',
      // No `--import` of TypeScript here: the compiled server's worker threads inherit this
      // process's options without tsx, and one they cannot load stops the thread.
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    });
    let load: LoadFigures;
    let answered = 0;
    let window: { fromUs: number; toUs: number };
    let postgres: ProfileResult['postgres'];
    let mainThread: { samples: number; shares: Record<string, number> } = { samples: 0, shares: {} };
    try {
      const { surveyId, number } = await loginAndSetUp(server);
      const { cases } = await warmUp(server, database.config, number, surveyId, WARMUP_CONTACTS);
      const pool = buildTwilioPool({
        publicUrl: server.url,
        webhookPath: number.webhookPath,
        accountSid: number.accountSid,
        authToken: number.authToken,
        size: options.poolSize,
        existing: cases,
        newContactStart: 0,
        media: options.media
          ? (i) => ({
              url: `http://127.0.0.1:9/2010-04-01/Accounts/${number.accountSid}/Messages/MM${i}/Media/ME${i}`,
              contentType: 'image/jpeg',
            })
          : undefined,
      });
      const waits = dialect === 'pg' ? await sampleWaits(new URL(database.url).pathname.slice(1)) : null;
      const threadState = watchThreadState(server.pid);
      const fromUs = Number(process.hrtime.bigint() / 1000n);
      const result = await runPoolLoad({
        url: server.url,
        pool,
        cursor: { next: 0, wrap: false },
        connections: options.connections,
        durationSec: options.durationSec,
      });
      window = { fromUs, toUs: Number(process.hrtime.bigint() / 1000n) };
      answered = result.acknowledged.size;
      mainThread = threadState.stop();
      if (waits) {
        const sampled = await waits.stop();
        postgres = {
          waits: sampled.waits,
          samples: sampled.samples,
          commitsPerMessage: round(sampled.commits / Math.max(1, result.acknowledged.size), 2),
        };
      }
      const { acknowledged: _a, sent: _s, poolExhausted: _p, ...figures } = result;
      load = figures;
      options.log(`  profiled load: ${figures.perSecond2xx}/s (slower than unprofiled), p99 ${figures.p99Ms} ms`);
    } finally {
      await server.stop('SIGTERM');
    }
    // One file per thread: `CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile`, thread 0 the
    // main one; the SQLite ingest thread is the one that ran src/db/sqlite/second-writer-thread.ts.
    const profiles = readdirSync(profileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => ({ file: f, profile: JSON.parse(readFileSync(join(profileDir, f), 'utf8')) as CpuProfile }));
    const main = profiles.find((p) => /\.0\.\d+\.cpuprofile$/.test(p.file));
    if (!main) throw new Error(`no .cpuprofile of the main thread was written in ${profileDir}`);
    const ingest = profiles.find((p) => p.profile.nodes.some((n) => /second-writer-thread\.[jt]s$/.test(n.callFrame.url)));
    const maps = buildSourceMaps();
    const summarise = (profile: CpuProfile) => {
      mapToSources(profile, maps);
      const during = summariseProfile(profile, { window });
      return during.samples >= 100
        ? { summary: during, windowNote: 'samples taken while the load ran' }
        : { summary: summariseProfile(profile), windowNote: 'whole thread life (the load window matched too few samples)' };
    };
    const { summary, windowNote } = summarise(main.profile);
    const ingestThread = ingest ? summarise(ingest.profile) : null;
    options.log('  counting statements per webhook (in-process)');
    const census = await statementCensus(dialect);
    const text = formatProfile(dialect, options, load, summary, windowNote, census, postgres, mainThread, ingestThread, answered);
    return { load, summary, census, postgres, text };
  } finally {
    rmSync(profileDir, { recursive: true, force: true });
    await database.drop();
  }
}

/** The compiled server's source maps, by the URL of the `.js` file each belongs to. */
function buildSourceMaps(): Record<string, SourceMapPayload> {
  const dist = join(PROJECT_ROOT, 'dist');
  const maps: Record<string, SourceMapPayload> = {};
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'web') visit(path);
      } else if (entry.name.endsWith('.js.map')) {
        maps[pathToFileURL(path.slice(0, -'.map'.length)).href] = JSON.parse(readFileSync(path, 'utf8')) as SourceMapPayload;
      }
    }
  };
  if (existsSync(dist)) visit(dist);
  return maps;
}

/** Samples pg_stat_activity of the bench database every 20 ms while the load runs. */
async function sampleWaits(database: string) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  const commits = async () =>
    Number(
      (await client.query<{ n: string }>('select xact_commit::text as n from pg_stat_database where datname = $1', [database])).rows[0]!.n,
    );
  await client.query('select pg_stat_clear_snapshot()');
  const before = await commits();
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await client.query<{ state: string | null; wait_event_type: string | null; wait_event: string | null }>(
        `select state, wait_event_type, wait_event from pg_stat_activity
         where datname = $1 and pid <> pg_backend_pid() and backend_type = 'client backend'`,
        [database],
      );
      for (const row of rows.rows) {
        const state =
          row.state === 'active'
            ? row.wait_event_type
              ? `active, waiting on ${row.wait_event_type}:${row.wait_event}`
              : 'active, on CPU'
            : `${row.state ?? 'unknown'}${row.wait_event ? ` (${row.wait_event})` : ''}`;
        counts.set(state, (counts.get(state) ?? 0) + 1);
        samples++;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.query('select pg_stat_clear_snapshot()');
      // The statistics collector reports with a small delay; give it a moment.
      await new Promise((r) => setTimeout(r, 700));
      await client.query('select pg_stat_clear_snapshot()');
      const after = await commits();
      await client.end();
      const waits = [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([state, n]) => ({ state, share: round((n / Math.max(1, samples)) * 100) }));
      return { waits, samples, commits: after - before };
    },
  };
}

function formatProfile(
  dialect: BenchDialect,
  options: { durationSec: number; connections: number; media: boolean },
  load: LoadFigures,
  summary: ProfileSummary,
  windowNote: string,
  census: Census,
  postgres: ProfileResult['postgres'],
  mainThread: { samples: number; shares: Record<string, number> },
  ingestThread: { summary: ProfileSummary; windowNote: string } | null,
  answered: number,
): string {
  const lines: string[] = [];
  lines.push(`Caseline ingest profile — ${dialect === 'pg' ? 'PostgreSQL' : 'SQLite'} — ${new Date().toISOString()}`);
  lines.push(
    `Load: signed Twilio webhooks (mix of new contacts, open cases, #references${options.media ? ', each with a photo' : ''}), ${options.connections} connections, ${options.durationSec} s, ` +
      `after a warm-up of ${WARMUP_CONTACTS} messages. Under the profiler: ${load.perSecond2xx} msg/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms.`,
  );
  lines.push(
    `CPU profile of the server's main thread (node --cpu-prof, 1 ms sampling), ${windowNote}: ${summary.samples} samples, ${summary.totalMs} ms.`,
  );
  if (ingestThread) {
    lines.push(
      `The SQLite ingest thread, which stores the batches (src/services/inbound/ingest-thread.ts), is profiled on its own at the end, ${ingestThread.windowNote}.`,
    );
  }
  const state = (letter: string) => `${mainThread.shares[letter] ?? 0}%`;
  lines.push(
    `Server main thread during the load (/proc every 5 ms, ${mainThread.samples} samples): running or runnable ${state('R')}, ` +
      `sleeping (waiting for sockets/events) ${state('S')}, waiting for the disk ${state('D')}.`,
  );
  lines.push('Self time: the function itself was running. Total time: it was on the stack (includes callees).');
  if (dialect === 'sqlite') {
    lines.push(
      "Note: better-sqlite3's native calls are not frames of their own: the self time of Kysely's SqliteDriver executeQuery is\n" +
        'SQLite executing the statements (and writing the WAL at commit), not Kysely code.',
    );
  } else {
    lines.push("Note: this is the Node process only; PostgreSQL's own work is in the server processes (see the session states below).");
  }
  lines.push('');
  lines.push(formatRanked('== Where the time went, by area (self time) ==', summary.byArea));
  lines.push('');
  lines.push(formatPerMessage(summary, answered));
  lines.push('');
  lines.push(formatRanked('== Top functions by self time ==', summary.bySelf));
  lines.push('');
  lines.push(formatRanked('== Our code (src/) by total time ==', summary.ownByTotal));
  lines.push('');
  lines.push(formatRanked('== All functions by total time ==', summary.byTotal));
  lines.push('');
  lines.push('== SQL statements per inbound webhook, one webhook at a time (in-process count at the driver) ==');
  for (const kind of census.kinds) {
    lines.push(`${kind.kind}: ${kind.statementsPerWebhook} statements per webhook (mean of ${kind.webhooks})`);
    kind.example.forEach((statement, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${statement}`));
  }
  lines.push('');
  lines.push(
    `== Statements by time spent in them: ${census.timedWebhooks} webhooks of the benchmark's mix, ${census.concurrency} in flight (so the server may batch), ` +
      `in-process: ${census.statementsPerWebhook} statements per webhook, ${census.elapsedMsPerWebhook} ms of wall time per webhook ==`,
  );
  if (dialect === 'pg')
    lines.push(
      '(PostgreSQL: time from sending a statement to its answer; statements of different transactions overlap, so shares can sum past 100%.)',
    );
  lines.push(`${'total ms'.padStart(9)} ${'% of time'.padStart(9)} ${'calls'.padStart(7)} ${'mean µs'.padStart(8)}  statement`);
  for (const t of census.timing.slice(0, 25)) {
    lines.push(
      `${String(t.totalMs).padStart(9)} ${t.share.toFixed(1).padStart(9)} ${String(t.calls).padStart(7)} ${String(t.meanUs).padStart(8)}  ${t.statement}`,
    );
  }
  if (ingestThread) {
    lines.push('');
    lines.push(`== The ingest thread: ${ingestThread.summary.samples} samples, ${ingestThread.summary.totalMs} ms ==`);
    lines.push(formatRanked('== Ingest thread: where the time went, by area (self time) ==', ingestThread.summary.byArea));
    lines.push('');
    lines.push(formatRanked('== Ingest thread: top functions by self time ==', ingestThread.summary.bySelf));
  }
  if (postgres) {
    lines.push('');
    lines.push(
      `== PostgreSQL sessions of the bench database during the load (pg_stat_activity every 20 ms, ${postgres.samples} session samples) ==`,
    );
    for (const wait of postgres.waits) lines.push(`${wait.share.toFixed(1).padStart(6)}%  ${wait.state}`);
    lines.push(`Transactions committed per acknowledged message: ${postgres.commitsPerMessage}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The main thread's busy time (every sample but idle) per answered webhook, by area: what
 * compares runs of different rates, such as text against webhooks that carry a photo.
 */
function formatPerMessage(summary: ProfileSummary, answered: number): string {
  const perMessage = (ms: number) => Math.round((ms * 1000) / Math.max(1, answered));
  const idleMs = summary.byArea.find((row) => row.name === '(idle)')?.ms ?? 0;
  const busy = summary.byArea.filter((row) => row.name !== '(idle)');
  const line = (ms: number, what: string) => `${String(perMessage(ms)).padStart(7)} µs  ${what}`;
  return [
    `== Main-thread busy time per answered webhook (${answered} answered), by area ==`,
    line(summary.totalMs - idleMs, 'all busy time'),
    ...busy.map((row) => line(row.ms, row.name)),
  ].join('\n');
}
