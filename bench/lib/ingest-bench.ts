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
  number: { numberId: string; accountSid: string; authToken: string },
  surveyId: string,
  count: number,
): Promise<{ cases: ExistingCase[]; seconds: number }> {
  const started = performance.now();
  const pool = buildTwilioPool({
    publicUrl: server.url,
    numberId: number.numberId,
    accountSid: number.accountSid,
    authToken: number.authToken,
    size: count,
    existing: [],
    newContactStart: 0,
    newContactPrefix: '+4476',
  });
  const cursor: PoolCursor = { next: 0, wrap: false };
  const result = await runPoolLoad({ url: server.url, pool, cursor, connections: 8, amount: count });
  if (result.acknowledged.size !== count) throw new Error(`warm-up: ${count - result.acknowledged.size} webhooks not acknowledged: ${JSON.stringify(result.statusCounts)}`);
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
    return { cases: rows.map((r) => ({ contact: r.contact!, caseNumber: Number(r.case_number) })), seconds: round((performance.now() - started) / 1000) };
  } finally {
    await db.close();
  }
}

export async function measureIngest(
  server: BenchProcess,
  database: DatabaseConfig,
  number: { numberId: string; accountSid: string; authToken: string },
  existing: ExistingCase[],
  options: IngestOptions,
): Promise<{ pool: TwilioPool; runs: Omit<IngestRuns, 'warmup'> }> {
  const pool = buildTwilioPool({
    publicUrl: server.url,
    numberId: number.numberId,
    accountSid: number.accountSid,
    authToken: number.authToken,
    size: options.poolSize,
    existing,
    newContactStart: 0,
  });
  const mix: Record<string, number> = {};
  for (const kind of pool.kinds) mix[kind] = (mix[kind] ?? 0) + 1;
  const cursor: PoolCursor = { next: 0, wrap: false };

  const measured = async (label: string, load: () => Promise<PoolLoadResult>): Promise<MeasuredRun> => {
    const memory = watchMemory(server.pid);
    const cpu = watchCpu([server.pid]);
    const result = await load();
    const { phasePeakRssMiB } = memory.stop();
    const cpuUse = cpu.stop();
    const check = await checkIngest(database, number.numberId, pool, result.acknowledged);
    const { acknowledged: _a, sent: _s, ...figures } = result;
    options.log(
      `  ${label}: ${figures.perSecond2xx}/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ` +
        `statuses ${JSON.stringify(figures.statusCounts)}, acknowledged ${check.acknowledged}, lost ${check.lost}, duplicated ${check.duplicated}` +
        (result.poolExhausted ? ' (POOL EXHAUSTED: duplicates were sent)' : '') +
        (cpuUse ? `; CPU ours ${cpuUse.oursPercent}%, postgres ${cpuUse.postgresPercent}%, other programs ${cpuUse.otherPercent}%` : ''),
    );
    return { ...figures, peakRssMiB: phasePeakRssMiB, check, cpu: cpuUse, serverCpuUsPerRequest: cpuPerRequest(cpuUse, figures.statusCounts) };
  };

  const full = await measured('full speed', () =>
    runPoolLoad({ url: server.url, pool, cursor, connections: options.connections, durationSec: options.durationSec }),
  );
  const fixedRate = await measured(`${options.rate}/s (autocannon overallRate)`, () =>
    runPoolLoad({ url: server.url, pool, cursor, connections: options.connections, durationSec: options.durationSec, overallRate: options.rate }),
  );
  const paced = await measured(`${options.rate}/s (paced open loop)`, () =>
    runPacedPoolLoad({ url: server.url, pool, cursor, ratePerSecond: options.rate, durationSec: options.durationSec }),
  );
  return {
    pool,
    runs: { full, fixedRate: { ...fixedRate, offeredPerSecond: options.rate }, paced: { ...paced, offeredPerSecond: options.rate }, mix },
  };
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
