import { sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { isSeededOpen, seedContact, type Seed } from '../seed.js';
import { BenchApi } from './caseline-setup.js';
import type { BenchDialect } from './databases.js';
import { warmUp, WARMUP_CONTACTS } from './ingest-bench.js';
import { round } from './load.js';
import { backgroundBusyPercent, watchCpu, type CpuUse } from './machine.js';
import { startPacedLoad, type PacedRun } from './paced-load.js';
import { memoryOf, round1, startCaseline, watchMemory, type BenchProcess } from './processes.js';
import { copySeed } from './seeded-copy.js';
import { buildTwilioPool, type ExistingCase, type TwilioPool } from './twilio-pool.js';
import { checkIngest, type IngestCheck } from './verify.js';

/**
 * Retention at scale (DESIGN.md §9): a copy of the seeded million cases, in which the first
 * tenth of the closed cases (by case number) are moved a further `DUE_SHIFT_DAYS` into the
 * past, leaving a gap of months between them and every other closed case. The retention
 * period is chosen to fall in the middle of that gap, so exactly those cases are due however
 * long the run takes. Then, at a fixed offered rate of webhooks (evenly paced open loop):
 * `baselineSec` without retention, then retention switched on through the API and the same
 * load until the job has redacted every due case (or `maxSec` has passed). Counted: the time
 * to redact them, ingest p50/p99 before and during, and that exactly the due cases and their
 * messages were emptied.
 *
 * Redaction books one job per message to delete the provider's copy (Twilio's Message
 * resource); the bench's Twilio address is a closed port, so each fails at once and is tried
 * again later. With `providerDeletes: false` the due messages have no provider id (as texts
 * on a provider that cannot delete them), so no such job is booked: the redaction alone.
 */
export interface PacedPhase extends Omit<PacedRun, 'acknowledged'> {
  check: IngestCheck;
  cpu: CpuUse | null;
  peakRssMiB: number;
}

export interface RetentionBenchResult {
  cases: number;
  messages: number;
  due: number;
  dueMessages: number;
  closedCaseDays: number;
  /** Whether the due messages had a provider copy to delete (a job each). */
  providerDeletes: boolean;
  /** Whether every due case was redacted within the time allowed. */
  finished: boolean;
  redactedCases: number;
  redactedMessages: number;
  /** The job's first run: what it redacted within its budget, and when its audit line appeared. */
  firstRun: { cases: number; seconds: number } | null;
  /** Provider-delete jobs still pending at the end (`GET /surveys/{id}/retention`). */
  providerDeletesPending: number | null;
  copySeconds: number;
  /** Moving the due cases back and (PostgreSQL) vacuuming the table afterwards. */
  prepareSeconds: number;
  /** From switching retention on to the last due case redacted. */
  seconds: number;
  casesPerSecond: number;
  messagesPerSecond: number;
  /** Runs of the retention job that redacted something (each has a budget, then books its rest). */
  jobRuns: number;
  baseline: PacedPhase;
  during: PacedPhase;
  p50Ratio: number;
  p99Ratio: number;
  /** The retention job's next run once done, from `GET /surveys/{id}/retention` (a day later). */
  nextRunAt: string | null;
  verify: RetentionCheck;
  lifetimePeakRssMiB: number;
  /** Other programs' CPU on the machine just before the baseline. */
  backgroundBusyPercent: number | null;
}

export interface RetentionCheck {
  redacted: number;
  /** Due cases redacted (must equal `due`). */
  redactedDue: number;
  /** Cases redacted that were not due (must be 0). */
  redactedNotDue: number;
  /** Redacted cases that still hold a contact (must be 0). */
  contactsLeft: number;
  /** Messages emptied (must equal `dueMessages`). */
  emptiedMessages: number;
  /** Emptied messages that belong to cases not due (must be 0). */
  emptiedNotDue: number;
  /** `redacted` history rows (one per case). */
  tombstones: number;
  ok: boolean;
}

const DAY = 86_400_000;
/** How much further back the due cases are moved: the gap the retention period falls in. */
const DUE_SHIFT_DAYS = 400;
/** Enough pre-signed webhooks for this long a retention run at the offered rate. */

export async function measureRetention(
  dialect: BenchDialect,
  seed: Seed,
  options: { rate: number; baselineSec: number; maxSec: number; providerDeletes: boolean; log: (line: string) => void },
): Promise<RetentionBenchResult> {
  const { log } = options;
  const { cases, messages, surveyId } = seed.meta;
  const { database, copySeconds } = await copySeed(dialect, seed);
  let server: BenchProcess | undefined;
  try {
    const prepareStarted = performance.now();
    const plan = await moveDueCasesBack(database.config, surveyId, Math.floor(cases / 10), options.providerDeletes);
    const prepareSeconds = round((performance.now() - prepareStarted) / 1000);
    log(
      `  copied in ${copySeconds} s; ${plan.due.toLocaleString()} due cases (numbers up to ${plan.lastDueNumber}, ` +
        `${plan.dueMessages.toLocaleString()} messages) moved back ${DUE_SHIFT_DAYS} days` +
        `${options.providerDeletes ? '' : ', their provider ids removed'} in ${prepareSeconds} s`,
    );

    server = await startCaseline({ databaseUrl: database.url, dataDir: database.dir, twilioApiUrl: 'http://127.0.0.1:9' });
    const api = await BenchApi.login(server.url);
    const number = seed.meta.number;
    const warm = await warmUp(server, database.config, number, surveyId, WARMUP_CONTACTS);
    const existing = openSeededCases(cases, 2000);
    const poolOf = (size: number, newContactStart: number) =>
      buildTwilioPool({
        publicUrl: server!.url,
        webhookPath: number.webhookPath,
        accountSid: number.accountSid,
        authToken: number.authToken,
        size,
        existing,
        newContactStart,
      });
    const baselinePool = poolOf(Math.ceil(options.rate * options.baselineSec) + 100, 0);
    const duringPool = poolOf(Math.ceil(options.rate * (options.maxSec + 5)), 20_000_000);
    const busy = await backgroundBusyPercent();
    log(`  warm-up ${warm.seconds} s; other load on the machine before measuring: ${busy}% CPU`);

    const phase = async (label: string, pool: TwilioPool, until: () => Promise<void>): Promise<PacedPhase> => {
      const memory = watchMemory(server!.pid);
      const cpu = watchCpu([server!.pid]);
      const load = startPacedLoad({ url: server!.url, pool, from: 0, ratePerSecond: options.rate });
      await until();
      const { acknowledged, ...run } = await load.stop();
      const cpuUse = cpu.stop();
      const { phasePeakRssMiB } = memory.stop();
      const check = await checkIngest(database.config, number.numberId, pool, acknowledged);
      log(
        `  ${label}: ${run.perSecond2xx}/s of ${options.rate}/s offered for ${run.durationSec} s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, ` +
          `max ${run.maxMs} ms, statuses ${JSON.stringify(run.statusCounts)}, lost ${check.lost}, duplicated ${check.duplicated}` +
          (run.poolExhausted ? ' (POOL EXHAUSTED: the load stopped early)' : '') +
          (cpuUse ? `; CPU ours ${cpuUse.oursPercent}%, postgres ${cpuUse.postgresPercent}%, other programs ${cpuUse.otherPercent}%` : ''),
      );
      log(`    p99 per 10 s: ${run.windows.map((w) => `${w.p99Ms}`).join(', ')} ms`);
      return { ...run, check, cpu: cpuUse, peakRssMiB: phasePeakRssMiB };
    };

    const baseline = await phase('baseline, no retention', baselinePool, () => sleep(options.baselineSec * 1000));

    // The retention period falls in the middle of the gap, measured from now.
    const middle = (plan.lastDueClosedAt + plan.firstKeptClosedAt) / 2;
    const closedCaseDays = Math.round((Date.now() - middle) / DAY);
    const cutoff = Date.now() - closedCaseDays * DAY;
    if (!(cutoff > plan.lastDueClosedAt + DAY && cutoff < plan.firstKeptClosedAt - DAY)) {
      throw new Error(`retention: the cutoff ${new Date(cutoff).toISOString()} is not inside the gap between due and kept cases`);
    }
    const watcher = await openDatabase(database.config, { listen: false });
    let seconds = NaN;
    let jobRuns = 0;
    let redactedCases = 0;
    let redactedMessages = 0;
    let firstRun: RetentionBenchResult['firstRun'] = null;
    const during = await phase('during retention', duringPool, async () => {
      const started = performance.now();
      const patched = await api.call('PATCH', `/surveys/${surveyId}`, { retention: { closedCaseDays } });
      if (patched.status !== 200) throw new Error(`retention on: ${patched.status} ${JSON.stringify(patched.body)}`);
      let lastLog = started;
      // Each job run writes one audit line as it ends; a run that found nothing left ends it.
      while (performance.now() - started < options.maxSec * 1000) {
        await sleep(500);
        const runs = await watcher.kysely
          .selectFrom('privacy_audit')
          .select('counts')
          .where('survey_id', '=', surveyId)
          .where('action', '=', 'retention')
          .where('user_id', 'is', null)
          .execute();
        const counts = runs.map((row) => JSON.parse(row.counts) as { cases: number; messages: number });
        redactedCases = counts.reduce((sum, c) => sum + c.cases, 0);
        redactedMessages = counts.reduce((sum, c) => sum + c.messages, 0);
        jobRuns = counts.filter((c) => c.cases > 0).length;
        if (!firstRun && counts.length > 0) firstRun = { cases: counts[0]!.cases, seconds: round((performance.now() - started) / 1000, 1) };
        if (redactedCases >= plan.due) {
          seconds = (performance.now() - started) / 1000;
          return;
        }
        if (performance.now() - lastLog > 20_000) {
          lastLog = performance.now();
          log(`    ${redactedCases.toLocaleString()} cases redacted after ${round((lastLog - started) / 1000)} s (${jobRuns} job runs)`);
        }
      }
      log(`  retention did not finish within ${options.maxSec} s`);
    });
    await watcher.close();
    log(
      `  redacted ${redactedCases.toLocaleString()} cases and ${redactedMessages.toLocaleString()} messages in ${round(seconds)} s ` +
        `(${jobRuns} job runs): ${round(plan.due / seconds)} cases/s`,
    );
    const status = await api.call<{ nextRunAt: string | null; providerDeletes?: { pending: number } }>(
      'GET',
      `/surveys/${surveyId}/retention`,
    );
    const verify = await checkRetention(database.config, surveyId, plan, redactedCases >= plan.due);
    log(
      `  check: ${verify.redactedDue.toLocaleString()} of ${plan.due.toLocaleString()} due cases redacted, ${verify.redactedNotDue} others; ` +
        `${verify.emptiedMessages.toLocaleString()} of ${plan.dueMessages.toLocaleString()} messages emptied, ${verify.emptiedNotDue} others; ` +
        `${verify.contactsLeft} contacts left; ${verify.tombstones.toLocaleString()} tombstones${verify.ok ? '' : ' — CHECK FAILED'}`,
    );
    return {
      cases,
      messages,
      due: plan.due,
      dueMessages: plan.dueMessages,
      closedCaseDays,
      copySeconds,
      prepareSeconds,
      providerDeletes: options.providerDeletes,
      finished: redactedCases >= plan.due,
      redactedCases,
      redactedMessages,
      firstRun,
      providerDeletesPending: status.body?.providerDeletes?.pending ?? null,
      seconds: round(seconds, 1),
      casesPerSecond: round(plan.due / seconds),
      messagesPerSecond: round(redactedMessages / seconds),
      jobRuns,
      baseline,
      during,
      p50Ratio: round(during.p50Ms / baseline.p50Ms, 2),
      p99Ratio: round(during.p99Ms / baseline.p99Ms, 2),
      nextRunAt: status.body?.nextRunAt ?? null,
      verify,
      lifetimePeakRssMiB: round1(memoryOf(server.pid)?.peakMiB ?? NaN),
      backgroundBusyPercent: busy,
    };
  } finally {
    await server?.stop();
    await database.drop();
  }
}

interface DuePlan {
  due: number;
  dueMessages: number;
  lastDueNumber: number;
  lastDueClosedAt: number;
  firstKeptClosedAt: number;
}

/** Moves the survey's first `due` closed cases (by case number) `DUE_SHIFT_DAYS` further back. */
async function moveDueCasesBack(config: DatabaseConfig, surveyId: string, due: number, providerDeletes: boolean): Promise<DuePlan> {
  const db = await openDatabase(config, { listen: false });
  try {
    const closed = () => db.kysely.selectFrom('records').where('survey_id', '=', surveyId).where('status', '=', 'closed');
    const last = await closed()
      .select('case_number')
      .orderBy('case_number')
      .limit(1)
      .offset(due - 1)
      .executeTakeFirstOrThrow();
    const lastDueNumber = Number(last.case_number);
    const shift = DUE_SHIFT_DAYS * DAY;
    await db.kysely
      .updateTable('records')
      .set((eb) => ({
        created_at: eb('created_at', '-', shift),
        updated_at: eb('updated_at', '-', shift),
        closed_at: eb('closed_at', '-', shift),
      }))
      .where('survey_id', '=', surveyId)
      .where('status', '=', 'closed')
      .where('case_number', '<=', lastDueNumber)
      .execute();
    const dueRange = await closed()
      .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('closed_at').as('at')])
      .where('case_number', '<=', lastDueNumber)
      .executeTakeFirstOrThrow();
    const kept = await closed()
      .select((eb) => eb.fn.min('closed_at').as('at'))
      .where('case_number', '>', lastDueNumber)
      .executeTakeFirstOrThrow();
    if (!providerDeletes) {
      await db.kysely
        .updateTable('messages')
        .set({ provider_message_id: null })
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('record_messages as rm')
            .innerJoin('records as r', 'r.id', 'rm.record_id')
            .select('rm.message_id')
            .where('r.survey_id', '=', surveyId)
            .where('r.status', '=', 'closed')
            .where('r.case_number', '<=', lastDueNumber),
        )
        .execute();
    }
    const dueMessages = await db.kysely
      .selectFrom('record_messages as rm')
      .innerJoin('records as r', 'r.id', 'rm.record_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('r.survey_id', '=', surveyId)
      .where('r.status', '=', 'closed')
      .where('r.case_number', '<=', lastDueNumber)
      .executeTakeFirstOrThrow();
    if (config.dialect === 'pg') {
      // What autovacuum would do to the rows just rewritten, before anything is measured.
      const client = new pg.Client({ connectionString: config.url });
      await client.connect();
      await client.query('vacuum analyze records, messages').finally(() => client.end());
    }
    return {
      due: Number(dueRange.n),
      dueMessages: Number(dueMessages.n),
      lastDueNumber,
      lastDueClosedAt: Number(dueRange.at),
      firstKeptClosedAt: Number(kept.at ?? Number.POSITIVE_INFINITY),
    };
  } finally {
    await db.close();
  }
}

/** Exactly the due cases are redacted, and exactly their messages emptied. */
async function checkRetention(config: DatabaseConfig, surveyId: string, plan: DuePlan, finished: boolean): Promise<RetentionCheck> {
  const db = await openDatabase(config, { listen: false });
  try {
    const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }> }) =>
      Number((await query.executeTakeFirstOrThrow()).n);
    const n = sql<number>`count(*)`.as('n');
    const isDue = sql<boolean>`r.status = 'closed' and r.case_number <= ${plan.lastDueNumber}`;
    const redacted = db.kysely
      .selectFrom('records as r')
      .select(n)
      .where('r.survey_id', '=', surveyId)
      .where('r.redacted_at', 'is not', null);
    const emptied = db.kysely
      .selectFrom('messages as m')
      .innerJoin('record_messages as rm', 'rm.message_id', 'm.id')
      .innerJoin('records as r', 'r.id', 'rm.record_id')
      .select(n)
      .where('m.body', '=', '')
      .where('m.contact', '=', '');
    const result = {
      redacted: await count(redacted),
      redactedDue: await count(redacted.where(isDue)),
      redactedNotDue: await count(redacted.where(sql<boolean>`not (${isDue})`)),
      contactsLeft: await count(redacted.where('r.contact', 'is not', null)),
      emptiedMessages: await count(emptied.where(isDue)),
      emptiedNotDue: await count(emptied.where(sql<boolean>`not (${isDue})`)),
      tombstones: await count(
        db.kysely
          .selectFrom('history as h')
          .innerJoin('records as r', 'r.id', 'h.record_id')
          .select(n)
          .where('h.action', '=', 'redacted')
          .where(isDue),
      ),
      ok: false,
    };
    // Cut short, the run has redacted some due cases: none that was not due, each whole.
    const allDue = finished
      ? result.redactedDue === plan.due && result.emptiedMessages === plan.dueMessages
      : result.redactedDue === result.redacted;
    result.ok =
      allDue &&
      result.redactedNotDue === 0 &&
      result.contactsLeft === 0 &&
      result.emptiedNotDue === 0 &&
      result.tombstones === result.redacted;
    return result;
  } finally {
    await db.close();
  }
}

/** `count` open seeded cases spread over the whole table, with their contacts. */
function openSeededCases(cases: number, count: number): ExistingCase[] {
  const picked: ExistingCase[] = [];
  const step = Math.max(10, Math.floor(cases / count / 10) * 10);
  for (let caseNumber = 11; caseNumber <= cases && picked.length < count; caseNumber += step) {
    if (isSeededOpen(caseNumber)) picked.push({ contact: seedContact(caseNumber), caseNumber });
  }
  return picked;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
