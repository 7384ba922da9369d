import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { BenchApi } from './caseline-setup.js';
import { runPacedPoolLoad, runPoolLoad, round, type LoadFigures, type PoolCursor, type PoolLoadResult } from './load.js';
import { watchCpu, type CpuUse } from './machine.js';
import { startCeiling, watchMemory, type BenchProcess } from './processes.js';
import { buildTwilioPool, type ExistingCase, type TwilioPool } from './twilio-pool.js';
import { checkIngest, type IngestCheck } from './verify.js';

/**
 * The ingest measurements shared by the empty-database and the seeded runs: a warm-up that
 * gives 2,000 people an open case, then closed-loop load at full speed, then a fixed offered
 * rate (autocannon's `overallRate`, and an evenly paced open loop), each followed by the
 * database check that every acknowledged webhook is stored exactly once.
 */
export interface IngestOptions {
  durationSec: number;
  connections: number;
  rate: number;
  poolSize: number;
  log: (line: string) => void;
}

export interface MeasuredRun extends LoadFigures {
  /** The rate the load generator was asked for; absent at full speed. */
  offeredPerSecond?: number;
  peakRssMiB: number;
  /** CPU while it ran, in % of the machine: ours (bench + server), PostgreSQL, and other programs. */
  cpu?: CpuUse | null;
  /**
   * The server's CPU time per answered request (all its threads, in µs): what one message
   * costs, which the machine's noise moves much less than throughput.
   */
  serverCpuUsPerRequest?: number | null;
  check?: IngestCheck;
  poolExhausted?: boolean;
}

export interface IngestRuns {
  warmup: { messages: number; seconds: number };
  full: MeasuredRun;
  fixedRate: MeasuredRun;
  paced: MeasuredRun;
  mix: Record<string, number>;
}

export const WARMUP_CONTACTS = 2000;

/** Gives `count` new people (+4476…) one open case each, as a warm-up; returns their cases. */
export async function warmUp(
  server: BenchProcess,
  database: DatabaseConfig,
  number: { numberId: string; webhookPath: string; accountSid: string; authToken: string },
  surveyId: string,
  count: number,
): Promise<{ cases: ExistingCase[]; seconds: number }> {
  const started = performance.now();
  const pool = buildTwilioPool({
    publicUrl: server.url,
    webhookPath: number.webhookPath,
    accountSid: number.accountSid,
    authToken: number.authToken,
    size: count,
    existing: [],
    newContactStart: 0,
    newContactPrefix: '+4476',
  });
  const cursor: PoolCursor = { next: 0, wrap: false };
  const result = await runPoolLoad({ url: server.url, pool, cursor, connections: 8, amount: count });
  if (result.acknowledged.size !== count)
    throw new Error(`warm-up: ${count - result.acknowledged.size} webhooks not acknowledged: ${JSON.stringify(result.statusCounts)}`);
  const db = await openDatabase(database, { listen: false });
  try {
    const rows = await db.kysely
      .selectFrom('records')
      .select(['contact', 'case_number'])
      .where('survey_id', '=', surveyId)
      .where('contact', '>=', '+4476')
      .where('contact', '<', '+4477')
      .where('status', '=', 'open')
      .execute();
    return {
      cases: rows.map((r) => ({ contact: r.contact!, caseNumber: Number(r.case_number) })),
      seconds: round((performance.now() - started) / 1000),
    };
  } finally {
    await db.close();
  }
}

export async function measureIngest(
  server: BenchProcess,
  database: DatabaseConfig,
  number: { numberId: string; webhookPath: string; accountSid: string; authToken: string },
  existing: ExistingCase[],
  options: IngestOptions,
): Promise<{ pool: TwilioPool; runs: Omit<IngestRuns, 'warmup'> }> {
  const pool = buildTwilioPool({
    publicUrl: server.url,
    webhookPath: number.webhookPath,
    accountSid: number.accountSid,
    authToken: number.authToken,
    size: options.poolSize,
    existing,
    newContactStart: 0,
  });
  const mix: Record<string, number> = {};
  for (const kind of pool.kinds) mix[kind] = (mix[kind] ?? 0) + 1;
  const cursor: PoolCursor = { next: 0, wrap: false };

  const measured = (label: string, load: () => Promise<PoolLoadResult>) =>
    measureRun(server, database, number.numberId, pool, label, load, options.log);

  const full = await measured('full speed', () =>
    runPoolLoad({ url: server.url, pool, cursor, connections: options.connections, durationSec: options.durationSec }),
  );
  const fixedRate = await measured(`${options.rate}/s (autocannon overallRate)`, () =>
    runPoolLoad({
      url: server.url,
      pool,
      cursor,
      connections: options.connections,
      durationSec: options.durationSec,
      overallRate: options.rate,
    }),
  );
  const paced = await measured(`${options.rate}/s (paced open loop)`, () =>
    runPacedPoolLoad({ url: server.url, pool, cursor, ratePerSecond: options.rate, durationSec: options.durationSec }),
  );
  return {
    pool,
    runs: { full, fixedRate: { ...fixedRate, offeredPerSecond: options.rate }, paced: { ...paced, offeredPerSecond: options.rate }, mix },
  };
}

/** One load phase: memory and CPU watched while it runs, the database checked after. */
async function measureRun(
  server: BenchProcess,
  database: DatabaseConfig,
  numberId: string,
  pool: TwilioPool,
  label: string,
  load: () => Promise<PoolLoadResult>,
  log: (line: string) => void,
): Promise<MeasuredRun> {
  const memory = watchMemory(server.pid);
  const cpu = watchCpu([server.pid]);
  const result = await load();
  const { phasePeakRssMiB } = memory.stop();
  const cpuUse = cpu.stop();
  const check = await checkIngest(database, numberId, pool, result.acknowledged);
  const { acknowledged: _a, sent: _s, ...figures } = result;
  log(
    `  ${label}: ${figures.perSecond2xx}/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ` +
      `statuses ${JSON.stringify(figures.statusCounts)}, acknowledged ${check.acknowledged}, lost ${check.lost}, duplicated ${check.duplicated}` +
      (result.poolExhausted ? ' (POOL EXHAUSTED: duplicates were sent)' : '') +
      (cpuUse ? `; CPU ours ${cpuUse.oursPercent}%, postgres ${cpuUse.postgresPercent}%, other programs ${cpuUse.otherPercent}%` : ''),
  );
  return {
    ...figures,
    peakRssMiB: phasePeakRssMiB,
    check,
    cpu: cpuUse,
    serverCpuUsPerRequest: cpuPerRequest(cpuUse, figures.statusCounts),
  };
}

/** A running Caseline with a number and the open cases its returning contacts write to. */
export interface IngestTarget {
  server: BenchProcess;
  database: DatabaseConfig;
  number: { numberId: string; webhookPath: string; accountSid: string; authToken: string };
  existing: ExistingCase[];
}

export interface AlternatingRuns {
  rounds: number;
  durationSec: number;
  /** Full-speed msg/s of each round, in the order run: [first target, second target]. */
  perSecond: Array<[number, number]>;
  /** Second target's figure over the first's, per round. */
  ratios: number[];
  medianRatio: number;
  lost: number;
  duplicated: number;
}

const ALTERNATING_WARM_UP_SEC = 2;

/**
 * Full-speed runs on two servers in turn (A, B, A, B, …). On a virtual machine the speed
 * drifts by more than a change is worth within minutes (docs/benchmarks.md, "Variance");
 * runs side by side in time share the drift, so B/A within a round compares like with like,
 * and the median over rounds discards a round a neighbour's burst spoiled. Each target gets
 * its own pool of fresh webhooks (new people numbered from `newContactStart`).
 */
export async function measureAlternating(
  targets: [IngestTarget, IngestTarget],
  options: IngestOptions & { rounds: number; newContactStart: number },
): Promise<AlternatingRuns> {
  const pools = targets.map((t) =>
    buildTwilioPool({
      publicUrl: t.server.url,
      webhookPath: t.number.webhookPath,
      accountSid: t.number.accountSid,
      authToken: t.number.authToken,
      size: Math.ceil(12_000 * (options.durationSec * options.rounds + ALTERNATING_WARM_UP_SEC)),
      existing: t.existing,
      newContactStart: options.newContactStart,
    }),
  );
  const cursors: PoolCursor[] = targets.map(() => ({ next: 0, wrap: false }));
  // Each server sat idle while the other was measured; its first seconds back under load
  // ran slow (the first round's empty-database figure was the lowest of three in four of
  // five runs), so each runs a short while unmeasured first.
  for (const [i, target] of targets.entries()) {
    await runPoolLoad({
      url: target.server.url,
      pool: pools[i]!,
      cursor: cursors[i]!,
      connections: options.connections,
      durationSec: ALTERNATING_WARM_UP_SEC,
    });
  }
  const perSecond: Array<[number, number]> = [];
  let lost = 0;
  let duplicated = 0;
  for (let round = 1; round <= options.rounds; round++) {
    const figures: number[] = [];
    for (const [i, target] of targets.entries()) {
      const run = await measureRun(
        target.server,
        target.database,
        target.number.numberId,
        pools[i]!,
        `round ${round}, ${i === 0 ? 'A' : 'B'}`,
        () =>
          runPoolLoad({
            url: target.server.url,
            pool: pools[i]!,
            cursor: cursors[i]!,
            connections: options.connections,
            durationSec: options.durationSec,
          }),
        options.log,
      );
      figures.push(run.perSecond2xx);
      lost += run.check?.lost ?? 0;
      duplicated += run.check?.duplicated ?? 0;
    }
    perSecond.push([figures[0]!, figures[1]!]);
  }
  const ratios = perSecond.map(([a, b]) => round(b / a, 3));
  const sorted = [...ratios].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  const medianRatio = sorted.length % 2 === 1 ? sorted[middle]! : round((sorted[middle - 1]! + sorted[middle]!) / 2, 3);
  return { rounds: options.rounds, durationSec: options.durationSec, perSecond, ratios, medianRatio, lost, duplicated };
}

/** The bare Fastify route with the same pool of bodies, same connections and duration. */
export async function measureCeiling(pool: TwilioPool, options: IngestOptions): Promise<MeasuredRun> {
  const ceiling = await startCeiling();
  try {
    // A short warm-up so both servers are measured with their code optimised.
    await runPoolLoad({ url: ceiling.url, pool, cursor: { next: 0, wrap: true }, connections: 8, amount: 2000 });
    const memory = watchMemory(ceiling.pid);
    const cpu = watchCpu([ceiling.pid]);
    const result = await runPoolLoad({
      url: ceiling.url,
      pool,
      cursor: { next: 0, wrap: true },
      connections: options.connections,
      durationSec: options.durationSec,
    });
    const { phasePeakRssMiB } = memory.stop();
    const cpuUse = cpu.stop();
    const { acknowledged: _a, sent: _s, poolExhausted: _p, ...figures } = result;
    options.log(
      `  ceiling (bare Fastify): ${figures.perSecond2xx}/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms` +
        (cpuUse ? `; CPU ours ${cpuUse.oursPercent}%, other programs ${cpuUse.otherPercent}%` : ''),
    );
    return { ...figures, peakRssMiB: phasePeakRssMiB, cpu: cpuUse, serverCpuUsPerRequest: cpuPerRequest(cpuUse, figures.statusCounts) };
  } finally {
    await ceiling.stop();
  }
}

export async function loginAndSetUp(server: BenchProcess) {
  const api = await BenchApi.login(server.url);
  const surveyId = await api.createSurvey();
  const number = await api.createTwilioNumber(surveyId);
  return { api, surveyId, number };
}

function cpuPerRequest(cpu: CpuUse | null, statusCounts: Record<string, number>): number | null {
  const answered = Object.values(statusCounts).reduce((sum, count) => sum + count, 0);
  return cpu && answered > 0 ? Math.round((cpu.serverCpuMs * 1000) / answered) : null;
}
