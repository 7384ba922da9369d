import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { PROJECT_ROOT } from '../src/server.js';
import { createBenchDatabase, PG_ADMIN_URL, type BenchDialect } from './lib/databases.js';
import {
  loginAndSetUp,
  measureAlternating,
  measureCeiling,
  measureIngest,
  warmUp,
  WARMUP_CONTACTS,
  type AlternatingRuns,
  type IngestOptions,
  type IngestTarget,
  type MeasuredRun,
} from './lib/ingest-bench.js';
import { round } from './lib/load.js';
import { backgroundBusyPercent, codeVersion, describeMachine, fingerprint, type Machine } from './lib/machine.js';
import { measureMedia, type MediaBenchResult } from './lib/media-bench.js';
import { measureOutbox, type OutboxResult } from './lib/outbox-bench.js';
import { measureTimers, type TimersBenchResult } from './lib/timers-bench.js';
import { measureRetention, type RetentionBenchResult } from './lib/retention-bench.js';
import { measureErasure, type ErasureBenchResult } from './lib/erasure-bench.js';
import { measureExport, type ExportBenchResult } from './lib/export-bench.js';
import { measureSummary, type SummaryBenchResult } from './lib/reports-bench.js';
import { memoryOf, round1, startCaseline } from './lib/processes.js';
import { runProfile } from './lib/profile-bench.js';
import { measureReads, type ReadsResult } from './lib/reads-bench.js';
import { AUTOVACUUM_OFF, formatMarkdown } from './lib/report.js';
import { BenchApi } from './lib/caseline-setup.js';
import { copySeed } from './lib/seeded-copy.js';
import { newestSeed } from './lib/cached-seed.js';
import { ensureSeed, isSeededOpen, seedContact } from './seed.js';
import type { ExistingCase } from './lib/twilio-pool.js';

/**
 * `npm run bench [-- <benchmark…>] [--dialect sqlite|pg|sqlite,pg] [--cases N] [--messages N]
 *  [--duration S] [--connections N] [--rate N]`
 *
 * Benchmarks: ingest, scale, reads, outbox, media, timers (the default set), and profile,
 * retention, erasure, summary and export (not in the default set: each works on its own copy
 * of the seeded million cases, several minutes per dialect). Prints a markdown table and writes
 * bench/results/latest.json (each benchmark's latest result).
 */
const BENCHMARKS = [
  'ingest',
  'scale',
  'reads',
  'outbox',
  'media',
  'timers',
  'profile',
  'retention',
  'erasure',
  'summary',
  'export',
] as const;
type Benchmark = (typeof BENCHMARKS)[number];
const DEFAULT_SET: Benchmark[] = ['ingest', 'scale', 'reads', 'outbox', 'media', 'timers'];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dialect: { type: 'string', default: 'sqlite,pg' },
    cases: { type: 'string', default: '1000000' },
    messages: { type: 'string', default: '5000000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    rate: { type: 'string', default: '1000' },
    pool: { type: 'string' },
    'reads-duration': { type: 'string', default: '8' },
    'reads-connections': { type: 'string', default: '4' },
    timers: { type: 'string', default: '100000' },
    'retention-rate': { type: 'string', default: '200' },
    baseline: { type: 'string', default: '20' },
    'retention-max': { type: 'string', default: '900' },
    'provider-deletes': { type: 'string', default: 'on' },
    'erasure-cases': { type: 'string', default: '50' },
    'erasure-messages': { type: 'string', default: '10000' },
    'summary-requests': { type: 'string', default: '30' },
    'export-max': { type: 'string', default: '900' },
    'transcript-max': { type: 'string', default: '900' },
    'profile-media': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`npm run bench [-- <benchmark…>] [options]

Benchmarks: ingest, scale, reads, outbox, media, timers (the default set: "all"), profile, retention, erasure, summary, export.
Options: --dialect sqlite|pg|sqlite,pg   --duration <s> (10)   --connections <n> (32)   --rate <n/s> (1000)
         --cases <n> (1000000)   --messages <n> (5000000)   --reads-duration <s> (8)   --reads-connections <n> (4)
         --pool <n> (signed webhooks precomputed per run)   --timers <n> (100000 due timers)
         --retention-rate <n/s> (200, ingest while retention runs)   --baseline <s> (20, the same ingest before)
         --retention-max <s> (900, the longest retention is waited for)   --provider-deletes on|off (on: a Twilio delete job per message, retention and erasure)
         --erasure-cases <n> (50)   --erasure-messages <n> (10000, the erased person's)
         --summary-requests <n> (30, per report after 3 warm-ups)   --export-max <s> (900, per export download)
         --transcript-max <s> (900, the export with transcripts and notes)
         --profile-media (profile: every webhook carries a photo)
PostgreSQL: CASELINE_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres). See docs/benchmarks.md.`);
  process.exit(0);
}

const selected: Benchmark[] = positionals.length === 0 || positionals.includes('all') ? DEFAULT_SET : (positionals as Benchmark[]);
for (const name of selected) {
  if (!BENCHMARKS.includes(name)) {
    console.error(`unknown benchmark ${JSON.stringify(name)}; choose from ${BENCHMARKS.join(', ')}, all`);
    process.exit(2);
  }
}
const numberArg = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number`);
    process.exit(2);
  }
  return n;
};
const durationSec = numberArg('duration');
const options: IngestOptions = {
  durationSec,
  connections: numberArg('connections'),
  rate: numberArg('rate'),
  // Enough distinct webhooks for ~12,000/s at full speed plus the two fixed-rate runs.
  poolSize: values.pool ? numberArg('pool') : Math.ceil(12_000 * durationSec + 2.2 * numberArg('rate') * durationSec + 10_000),
  log: (line) => console.error(line),
};
const sizes = { cases: numberArg('cases'), messages: numberArg('messages') };
/** Rounds of the scale run that alternates with the empty database (odd, for a median). */
const ALTERNATING_ROUNDS = 3;
const log = options.log;

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

let dialects = values.dialect.split(',').map((d) => d.trim()) as BenchDialect[];
if (dialects.some((d) => d !== 'sqlite' && d !== 'pg')) {
  console.error('--dialect must be sqlite, pg or sqlite,pg');
  process.exit(2);
}
if (dialects.includes('pg') && !(await postgresAnswers())) {
  log(`PostgreSQL at ${PG_ADMIN_URL} does not answer: skipping the PostgreSQL benchmarks (set CASELINE_BENCH_PG_URL).`);
  dialects = dialects.filter((d) => d !== 'pg');
}

export interface IngestResult {
  measuredAt: string;
  backgroundBusyPercent: number | null;
  warmup: { messages: number; seconds: number };
  ceiling: MeasuredRun;
  full: MeasuredRun;
  fixedRate: MeasuredRun;
  paced: MeasuredRun;
  ratioToCeiling: number;
  mix: Record<string, number>;
  lifetimePeakRssMiB: number;
  /** The server's resident memory with no load: started and set up, and after the load (the ceiling's run). */
  idleRssMiB?: { started: number; afterLoad: number; startedQuiet?: number; afterLoadQuiet?: number };
}

export interface ScaleResult {
  measuredAt: string;
  backgroundBusyPercent: number | null;
  seed: {
    cases: number;
    messages: number;
    builtThisRun: boolean;
    seedSeconds: number;
    loadSeconds: number;
    indexSeconds: number;
    createdAt: string;
    rows: Record<string, number>;
  };
  copySeconds: number;
  serverStartSeconds: number;
  full: MeasuredRun;
  fixedRate: MeasuredRun;
  paced: MeasuredRun;
  /** Full-speed ingest here divided by the empty database's, from the same run when it had one. */
  ratioToEmpty: number | null;
  /** Short full-speed runs taking turns with the empty database's server (see `measureAlternating`). */
  alternating?: AlternatingRuns;
  lifetimePeakRssMiB: number;
}

export interface DialectResults {
  ingest?: IngestResult;
  scale?: ScaleResult;
  reads?: ReadsResult & { measuredAt: string; cases: number; messages: number; backgroundBusyPercent: number | null };
  outbox?: OutboxResult & { measuredAt: string; backgroundBusyPercent: number | null };
  media?: MediaBenchResult & { backgroundBusyPercent: number | null };
  timers?: TimersBenchResult & { measuredAt: string; backgroundBusyPercent: number | null };
  retention?: RetentionBenchResult & { measuredAt: string; backgroundBusyPercent: number | null };
  erasure?: ErasureBenchResult & { measuredAt: string; backgroundBusyPercent: number | null };
  summary?: SummaryBenchResult & { measuredAt: string };
  export?: ExportBenchResult & { measuredAt: string };
  profile?: { measuredAt: string; file: string; perSecond: number };
}

export interface BenchResults {
  machine: Machine;
  lastRun: {
    startedAt: string;
    finishedAt: string;
    seconds: number;
    benchmarks: string[];
    dialects: string[];
    options: Record<string, unknown>;
    /** The code measured; `srcChangedDuringRun` means the figures mix two versions. */
    code: { commit: string; srcDirty: boolean; srcChangedDuringRun: boolean };
  };
  dialects: Partial<Record<BenchDialect, DialectResults>>;
}

/**
 * Ingest on an empty database. With `keep`, the server stays up afterwards (the scale run
 * alternates with it) and the caller stops it with `stop`.
 */
async function ingestEmpty(
  dialect: BenchDialect,
  keep: boolean,
): Promise<{ result: IngestResult; target?: IngestTarget; stop(): Promise<void> }> {
  log(`[${dialect}] ingest on an empty database`);
  const database = await createBenchDatabase(dialect);
  const server = await startCaseline({ databaseUrl: database.url, dataDir: database.dir, twilioApiUrl: 'http://127.0.0.1:9' });
  const stop = async () => {
    await server.stop();
    await database.drop();
  };
  let kept = false;
  try {
    const { surveyId, number } = await loginAndSetUp(server);
    const idleStarted = await idleRss(server.pid);
    const idleStartedQuiet = await quietRss(server.pid);
    const warm = await warmUp(server, database.config, number, surveyId, WARMUP_CONTACTS);
    const busy = await backgroundBusyPercent();
    log(
      `  warm-up: ${WARMUP_CONTACTS} people with an open case in ${warm.seconds} s; other load on the machine before measuring: ${busy}% CPU`,
    );
    const { runs, pool } = await measureIngest(server, database.config, number, warm.cases, options);
    const ceiling = await measureCeiling(pool, options);
    const idleAfterLoad = await idleRss(server.pid);
    const idleAfterLoadQuiet = await quietRss(server.pid);
    const result: IngestResult = {
      measuredAt: new Date().toISOString(),
      backgroundBusyPercent: busy,
      warmup: { messages: WARMUP_CONTACTS, seconds: warm.seconds },
      ceiling,
      ...runs,
      ratioToCeiling: round(runs.full.perSecond2xx / ceiling.perSecond2xx, 3),
      lifetimePeakRssMiB: round1(memoryOf(server.pid)?.peakMiB ?? NaN),
      idleRssMiB: { started: idleStarted, afterLoad: idleAfterLoad, startedQuiet: idleStartedQuiet, afterLoadQuiet: idleAfterLoadQuiet },
    };
    log(
      `  idle memory: ${idleStarted} MiB started, ${idleAfterLoad} MiB after the load (3 s without requests); ` +
        `${idleStartedQuiet} and ${idleAfterLoadQuiet} MiB after a quiet spell (15 s)`,
    );
    kept = keep;
    return { result, target: keep ? { server, database: database.config, number, existing: warm.cases } : undefined, stop };
  } finally {
    if (!kept) await stop();
  }
}

/**
 * Resident memory after a few seconds without requests. Logging in hashes the password
 * (scrypt, 128 MiB for a moment): that is in the lifetime peak, not in this.
 */
async function idleRss(pid: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 3000));
  return round1(memoryOf(pid)?.rssMiB ?? NaN);
}

/**
 * Resident memory after a quiet spell: 15 s without requests in all, past the 10 s after
 * which the SQLite worker threads stop (src/db/sqlite/idle-thread.ts).
 */
async function quietRss(pid: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 12_000));
  return round1(memoryOf(pid)?.rssMiB ?? NaN);
}

/** 2,000 open seeded cases spread over the whole table, with their contacts. */
function seededOpenCases(cases: number, count: number): ExistingCase[] {
  const open = Math.floor((cases - 1) / 10);
  const picked: ExistingCase[] = [];
  for (let k = 0; k < Math.min(count, open); k++) {
    const caseNumber = 11 + 10 * Math.floor((k * open) / Math.min(count, open));
    if (caseNumber <= cases && isSeededOpen(caseNumber)) picked.push({ contact: seedContact(caseNumber), caseNumber });
  }
  return picked;
}

async function scaleSession(
  dialect: BenchDialect,
  what: { ingest: boolean; reads: boolean },
  results: DialectResults,
  empty?: IngestTarget,
): Promise<void> {
  log(`[${dialect}] seeded database: ${sizes.cases.toLocaleString()} cases, ${sizes.messages.toLocaleString()} messages`);
  const seed = await ensureSeed(dialect, sizes, log);
  log(`  seed ${seed.built ? 'built now' : 'found in the cache'} (building it took ${seed.meta.seedSeconds} s)`);
  const { database, copySeconds } = await copySeed(dialect, seed);
  const startStarted = performance.now();
  const server = await startCaseline({ databaseUrl: database.url, dataDir: database.dir, twilioApiUrl: 'http://127.0.0.1:9' });
  const serverStartSeconds = round((performance.now() - startStarted) / 1000);
  log(`  copied in ${copySeconds} s; server started in ${serverStartSeconds} s`);
  try {
    const { number, surveyId } = seed.meta;
    if (what.ingest) {
      // The same warm-up as on the empty database (2,000 new people), then load whose
      // returning contacts are 2,000 open cases from all over the seeded table.
      const warm = await warmUp(server, database.config, number, surveyId, WARMUP_CONTACTS);
      const busy = await backgroundBusyPercent();
      log(`  warm-up ${warm.seconds} s; other load on the machine before measuring: ${busy}% CPU`);
      const existing = seededOpenCases(sizes.cases, WARMUP_CONTACTS);
      const { runs } = await measureIngest(server, database.config, number, existing, options);
      let alternating: AlternatingRuns | undefined;
      if (empty) {
        log(`  alternating with the empty database: ${ALTERNATING_ROUNDS} rounds of ${durationSec / 2} s each (A empty, B seeded)`);
        alternating = await measureAlternating([empty, { server, database: database.config, number, existing }], {
          ...options,
          durationSec: durationSec / 2,
          rounds: ALTERNATING_ROUNDS,
          newContactStart: 50_000_000,
        });
        log(`  alternating: seeded / empty per round ${alternating.ratios.join(', ')}; median ${alternating.medianRatio}`);
      }
      const emptyFigure = results.ingest?.full.perSecond2xx;
      results.scale = {
        measuredAt: new Date().toISOString(),
        backgroundBusyPercent: busy,
        seed: {
          cases: seed.meta.cases,
          messages: seed.meta.messages,
          builtThisRun: seed.built,
          seedSeconds: seed.meta.seedSeconds,
          loadSeconds: seed.meta.loadSeconds,
          indexSeconds: seed.meta.indexSeconds,
          createdAt: seed.meta.createdAt,
          rows: seed.meta.rows,
        },
        copySeconds,
        serverStartSeconds,
        full: runs.full,
        fixedRate: runs.fixedRate,
        paced: runs.paced,
        ratioToEmpty: emptyFigure ? round(runs.full.perSecond2xx / emptyFigure, 3) : null,
        alternating,
        lifetimePeakRssMiB: round1(memoryOf(server.pid)?.peakMiB ?? NaN),
      };
    }
    if (what.reads) {
      log(`[${dialect}] console reads on the seeded database`);
      const api = await BenchApi.login(server.url);
      const busy = await backgroundBusyPercent();
      const reads = await measureReads(server, {
        token: api.token,
        surveyId,
        cases: sizes.cases,
        durationSec: numberArg('reads-duration'),
        connections: numberArg('reads-connections'),
        log,
      });
      results.reads = {
        ...reads,
        measuredAt: new Date().toISOString(),
        cases: sizes.cases,
        messages: sizes.messages,
        backgroundBusyPercent: busy,
      };
    }
  } finally {
    await server.stop();
    await database.drop();
  }
}

const resultsDir = join(PROJECT_ROOT, 'bench', 'results');
if (!existsSync(resultsDir)) mkdirSync(resultsDir, { recursive: true });
const latestFile = join(resultsDir, 'latest.json');
const previous: Partial<BenchResults> = existsSync(latestFile) ? (JSON.parse(readFileSync(latestFile, 'utf8')) as BenchResults) : {};

const startedAt = new Date();
const machine = await describeMachine();
const codeAtStart = codeVersion();
const srcFingerprint = () => fingerprint(join(PROJECT_ROOT, 'src'));
const srcAtStart = srcFingerprint();
log(
  `Caseline benchmarks: ${selected.join(', ')} on ${dialects.join(', ')}; ${machine.cores} cores (${machine.cpuModel}), ${machine.ramGiB} GiB, Node ${machine.node}`,
);
if (dialects.includes('pg') && machine.postgresAutovacuum === 'off') log(AUTOVACUUM_OFF);
const ran: Partial<Record<BenchDialect, DialectResults>> = {};
for (const dialect of dialects) {
  const results: DialectResults = {};
  ran[dialect] = results;
  let empty: Awaited<ReturnType<typeof ingestEmpty>> | undefined;
  if (selected.includes('ingest')) {
    empty = await ingestEmpty(dialect, selected.includes('scale'));
    results.ingest = empty.result;
  }
  if (selected.includes('scale') || selected.includes('reads')) {
    try {
      await scaleSession(dialect, { ingest: selected.includes('scale'), reads: selected.includes('reads') }, results, empty?.target);
    } finally {
      if (empty?.target) await empty.stop();
    }
    if (results.scale && results.scale.ratioToEmpty === null) {
      // Without an empty-database run now, compare with the last one recorded.
      const last = previous.dialects?.[dialect]?.ingest?.full.perSecond2xx;
      if (last) results.scale.ratioToEmpty = round(results.scale.full.perSecond2xx / last, 3);
    }
  }
  if (selected.includes('outbox')) {
    log(`[${dialect}] outbox`);
    const busy = await backgroundBusyPercent();
    const outbox = await measureOutbox(dialect, {
      oneNumberCount: 3000,
      eightNumbersCount: 4000,
      slowProviderCount: 2000,
      providerAnswerMs: 200,
      limitedRate: 50,
      limitedCount: 300,
      log,
    });
    results.outbox = { ...outbox, measuredAt: new Date().toISOString(), backgroundBusyPercent: busy };
  }
  if (selected.includes('media')) {
    log(`[${dialect}] media: webhooks with a photo against text only, and a 16 MiB item served to 20 clients`);
    const busy = await backgroundBusyPercent();
    results.media = {
      ...(await measureMedia(dialect, { durationSec, connections: options.connections, log })),
      backgroundBusyPercent: busy,
    };
  }
  if (selected.includes('timers')) {
    const count = numberArg('timers');
    log(`[${dialect}] timers: ${count} due alert timers, then the idle server's statements`);
    const busy = await backgroundBusyPercent();
    results.timers = {
      ...(await measureTimers(dialect, { timers: count, idleSeconds: 10, log })),
      measuredAt: new Date().toISOString(),
      backgroundBusyPercent: busy,
    };
  }
  if (selected.includes('retention')) {
    log(`[${dialect}] retention on the seeded database: a tenth of the cases due, ingest before and while it runs`);
    const seed = await ensureSeed(dialect, sizes, log);
    const retention = await measureRetention(dialect, seed, {
      rate: numberArg('retention-rate'),
      baselineSec: numberArg('baseline'),
      maxSec: numberArg('retention-max'),
      providerDeletes: values['provider-deletes'] !== 'off',
      log,
    });
    results.retention = { ...retention, measuredAt: new Date().toISOString() };
  }
  if (selected.includes('erasure')) {
    log(`[${dialect}] erasure of one person among the seeded database`);
    const seed = await ensureSeed(dialect, sizes, log);
    const erasure = await measureErasure(dialect, seed, {
      cases: numberArg('erasure-cases'),
      messages: numberArg('erasure-messages'),
      providerIds: values['provider-deletes'] !== 'off',
      log,
    });
    results.erasure = { ...erasure, measuredAt: new Date().toISOString() };
  }
  if (selected.includes('summary')) {
    log(`[${dialect}] summary report on the seeded database: migration 014's backfill, then 90- and 365-day reports`);
    const seed = await newestSeed(dialect, sizes, log);
    const summary = await measureSummary(dialect, seed, { requests: numberArg('summary-requests'), log });
    results.summary = { ...summary, measuredAt: new Date().toISOString() };
  }
  if (selected.includes('export')) {
    log(`[${dialect}] export of every seeded case as CSV and XLSX`);
    const seed = await newestSeed(dialect, sizes, log);
    const exported = await measureExport(dialect, seed, {
      maxSec: numberArg('export-max'),
      transcriptMaxSec: numberArg('transcript-max'),
      log,
    });
    results.export = { ...exported, measuredAt: new Date().toISOString() };
  }
  if (selected.includes('profile')) {
    log(`[${dialect}] profile of the ingest path`);
    const profile = await runProfile(dialect, {
      durationSec,
      connections: options.connections,
      poolSize: Math.ceil(12_000 * durationSec),
      media: values['profile-media'],
      log,
    });
    const file = join(resultsDir, `profile-${dialect}${values['profile-media'] ? '-media' : ''}.txt`);
    writeFileSync(file, profile.text);
    log(`  wrote ${file}`);
    results.profile = {
      measuredAt: new Date().toISOString(),
      file: `bench/results/profile-${dialect}.txt`,
      perSecond: profile.load.perSecond2xx,
    };
  }
}
const finishedAt = new Date();
const codeAtEnd = codeVersion();
const srcChangedDuringRun = codeAtEnd.commit !== codeAtStart.commit || srcFingerprint() !== srcAtStart;
if (srcChangedDuringRun) log('WARNING: src/ changed while the benchmarks ran; the figures mix code versions.');

// Each benchmark keeps its latest result; a partial run replaces only what it measured.
const merged: BenchResults = {
  machine,
  lastRun: {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    benchmarks: selected,
    dialects,
    options: { ...sizes, durationSec, connections: options.connections, rate: options.rate, poolSize: options.poolSize },
    code: { ...codeAtStart, srcChangedDuringRun },
  },
  dialects: { ...previous.dialects },
};
for (const [dialect, results] of Object.entries(ran) as Array<[BenchDialect, DialectResults]>) {
  // Each result carries the code it measured, as results of different runs sit side by side.
  const stamped = Object.entries(results)
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => [name, { ...v, code: { ...codeAtStart, srcChangedDuringRun } }]);
  merged.dialects[dialect] = { ...merged.dialects[dialect], ...Object.fromEntries(stamped) };
}
writeFileSync(latestFile, `${JSON.stringify(merged, null, 2)}\n`);
console.log(formatMarkdown(merged, ran));
log(`wrote ${latestFile}; the run took ${merged.lastRun.seconds} s`);
