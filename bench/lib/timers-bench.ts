import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../../src/config.js';
import { ALERT_TIMER_JOBS, timerJobId } from '../../src/domain/time-rules.js';
import { createCaseline, type Caseline } from '../../src/server.js';
import { ensureFirstAdmin, firstAdminActor } from '../../src/services/bootstrap.js';
import { insertUser } from '../../src/services/users.js';
import { BENCH_QUESTIONS } from './caseline-setup.js';
import { createBenchDatabase, type BenchDialect } from './databases.js';
import { round } from './load.js';
import { BENCH_ADMIN, BENCH_SECRET_KEY } from './processes.js';
import { watchStatements, type Seen } from './statement-census.js';

/**
 * Durable timers (DESIGN.md §8): `timers` waiting cases whose first-level alert is due, each
 * a timer row as a waiting case books it, processed by the real job worker — one server on
 * SQLite, two on PostgreSQL sharing the database as two processes would (each its own pool
 * and worker). Counted: how fast they drain, and that each case's alert fired exactly once.
 * Then the idle server's statements per second, watched at the database driver.
 */
export interface TimersBenchResult {
  timers: number;
  workers: number;
  /** First claim possible to the last timer recorded. */
  seconds: number;
  perSecond: number;
  firings: number;
  /** Cases with more than one firing (must be 0). */
  duplicateFirings: number;
  /** Timers still pending or running at the end (must be 0). */
  leftOver: number;
  /** Console alerts written: one per firing and analyst. */
  alertRows: number;
  analysts: number;
  /** Per server, with its job worker and outbox running and nothing due. */
  idle: { seconds: number; statementsPerSecond: number; timerStatementsPerSecond: number };
}

const INSERT_CHUNK = 500;

export async function measureTimers(
  dialect: BenchDialect,
  options: { timers: number; idleSeconds: number; log: (line: string) => void },
): Promise<TimersBenchResult> {
  const { timers, log } = options;
  const database = await createBenchDatabase(dialect);
  const dirs: string[] = [];
  const servers: Caseline[] = [];
  const start = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caseline-timers-'));
    dirs.push(dir);
    const caseline = await createCaseline(
      {
        ...readConfig({ CASELINE_DATA_DIR: dir, CASELINE_SECRET_KEY: BENCH_SECRET_KEY }),
        database: database.config,
        publicUrl: 'http://bench.test',
      },
      { logger: false },
    );
    servers.push(caseline);
    return caseline;
  };
  try {
    const first = await start();
    const { services, db } = first;
    await ensureFirstAdmin(services.ctx, BENCH_ADMIN);
    const actor = (await firstAdminActor(services.ctx, BENCH_ADMIN.email))!;
    const analysts = 2;
    for (let i = 0; i < analysts; i++) {
      await insertUser(
        db.kysely,
        actor.orgId,
        { email: `analyst${i}@bench.test`, name: `Analyst ${i}`, role: 'analyst', password: 'bench-password-0123' },
        Date.now(),
      );
    }
    const survey = await services.surveys.create(actor, {
      name: 'Timers',
      questions: BENCH_QUESTIONS,
      caseManagement: { statusQuestion: 'status', finalStatus: 'closed' },
      alerts: { firstLevelMinutes: 1, secondLevelMinutes: null, emails: [] },
    });

    // Cases that started waiting two minutes ago, each with its first-level timer due a minute ago.
    const now = Date.now();
    const kind = ALERT_TIMER_JOBS[1];
    log(`  writing ${timers} waiting cases with their timers`);
    for (let offset = 0; offset < timers; offset += INSERT_CHUNK) {
      const size = Math.min(INSERT_CHUNK, timers - offset);
      await db.transaction(async (tx) => {
        const numbers = await db.nextCaseNumbers(tx, actor.orgId, size);
        const records = numbers.map((caseNumber, i) => ({
          id: `bench-${String(offset + i).padStart(8, '0')}`,
          org_id: actor.orgId,
          survey_id: survey.id,
          case_number: caseNumber,
          contact: `+4475${String(offset + i).padStart(8, '0')}`,
          number_id: null,
          answers: JSON.stringify({ status: 'new' }),
          status: 'open' as const,
          locked_by: null,
          locked_at: null,
          version: 0,
          created_at: now - 120_000,
          updated_at: now - 120_000,
          closed_at: null,
          waiting_since: now - 120_000,
        }));
        await tx.db.insertInto('records').values(records).execute();
        await tx.db
          .insertInto('jobs')
          .values(
            records.map((r) => ({
              id: timerJobId(kind, r.id),
              org_id: actor.orgId,
              kind,
              subject_id: r.id,
              state: 'pending' as const,
              due_at: now - 60_000,
              attempts: 0,
              created_at: now,
              updated_at: now,
            })),
          )
          .execute();
      });
    }

    const workers = dialect === 'pg' ? 2 : 1;
    if (workers === 2) await start();
    log(`  draining with ${workers} server(s)`);
    const started = performance.now();
    for (const server of servers) server.jobs.start();
    const pending = async () =>
      Number(
        (
          await db.kysely
            .selectFrom('jobs')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('kind', '=', kind)
            .where('state', 'in', ['pending', 'running'])
            .executeTakeFirstOrThrow()
        ).n,
      );
    let left = timers;
    let lastReport = started;
    while (left > 0) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      left = await pending();
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        log(`    ${timers - left} of ${timers} after ${round((lastReport - started) / 1000, 1)} s`);
      }
      if (performance.now() - started > 30 * 60_000) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const firings = await db.kysely
      .selectFrom('alert_firings')
      .select(['record_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('level', '=', 1)
      .groupBy('record_id')
      .execute();
    const alertRows = await db.kysely
      .selectFrom('alerts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();

    // Idle: the servers keep running with nothing due; every statement they issue is counted.
    for (const server of servers) server.outbox.start();
    const seen: Seen[] = [];
    const restore = watchStatements(dialect, seen);
    await new Promise((resolve) => setTimeout(resolve, options.idleSeconds * 1000));
    restore();
    const timerStatements = seen.filter((s) => /\bjobs\b/.test(s.sql)).length;

    return {
      timers,
      workers,
      seconds: round(seconds, 1),
      perSecond: round(timers / seconds),
      firings: firings.length,
      duplicateFirings: firings.filter((f) => Number(f.n) > 1).length,
      leftOver: left,
      alertRows: Number(alertRows.n),
      analysts,
      idle: {
        seconds: options.idleSeconds,
        statementsPerSecond: round(seen.length / options.idleSeconds / workers, 2),
        timerStatementsPerSecond: round(timerStatements / options.idleSeconds / workers, 2),
      },
    };
  } finally {
    for (const server of servers.reverse()) await server.close();
    await database.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
