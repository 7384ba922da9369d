import { sql } from 'kysely';
import type { Db, Executor, Transaction } from '../database.js';

/**
 * Rows per statement: a job row binds ten values, and SQLite takes at most 32,766 bound
 * values in one statement (PostgreSQL 65,535), so a large batch (an erasure books a job per
 * message) goes in several.
 */
const ROWS_PER_INSERT = 1_000;

/** A job to write in the transaction of the change that causes it (src/jobs/job-worker.ts). */
export interface NewJob {
  id: string;
  orgId: string | null;
  kind: string;
  subjectId: string;
  /** What it acts on besides its subject, as JSON (`jobs.payload`). */
  payload?: string;
  /** When it may run; `now` for at once. */
  dueAt: number;
}

/**
 * Writes durable work in the caller's transaction, so it exists if and only if the change
 * that causes it commits, and wakes the job workers once it does.
 */
export async function enqueueJobs(tx: Transaction, jobs: NewJob[], now: number): Promise<void> {
  for (const rows of jobRowsByStatement(jobs, now)) await tx.db.insertInto('jobs').values(rows).execute();
  publishReady(tx, jobs);
}

/**
 * `enqueueJobs` as statements (`Db.insertRows`), for a caller that runs them together with
 * its own (`Db.writeTogether`: one round trip on PostgreSQL). The workers are woken once the
 * transaction commits, as with `enqueueJobs`.
 */
export function enqueueJobsQueries(db: Db, tx: Transaction, jobs: NewJob[], now: number) {
  const queries = jobRowsByStatement(jobs, now).map((rows) => db.insertRows(tx, 'jobs', rows));
  publishReady(tx, jobs);
  return queries;
}

function publishReady(tx: Transaction, jobs: NewJob[]): void {
  for (const orgId of new Set(jobs.map((job) => job.orgId ?? ''))) tx.publish({ type: 'jobs.ready', orgId });
}

/** The jobs' rows, `ROWS_PER_INSERT` to a statement. */
function jobRowsByStatement(jobs: NewJob[], now: number) {
  const statements = [];
  for (let i = 0; i < jobs.length; i += ROWS_PER_INSERT) statements.push(jobRows(jobs.slice(i, i + ROWS_PER_INSERT), now));
  return statements;
}

function jobRows(jobs: NewJob[], now: number) {
  return jobs.map((job) => ({
    id: job.id,
    org_id: job.orgId,
    kind: job.kind,
    subject_id: job.subjectId,
    payload: job.payload ?? null,
    state: 'pending' as const,
    due_at: job.dueAt,
    attempts: 0,
    created_at: now,
    updated_at: now,
  }));
}

/** A timer of one subject (DESIGN.md §8): kept once per kind and subject, however often it is scheduled. */
export interface NewTimer {
  /** Derived from kind and subject (src/domain/time-rules.ts `timerJobId`). */
  id: string;
  orgId: string | null;
  kind: string;
  subjectId: string;
  dueAt: number;
}

/**
 * Writes timers in the caller's transaction. A timer that exists keeps the earlier of its
 * two due times and is made pending again: a run in progress then no longer holds its claim,
 * so its outcome is dropped and the timer runs again, seeing the change that rescheduled it.
 * Handlers check their condition when they run and book their own next run, so an early
 * timer costs one look.
 */
export async function scheduleTimers(tx: Transaction, timers: NewTimer[], now: number): Promise<void> {
  if (timers.length === 0) return;
  const byId = new Map<string, NewTimer>();
  for (const timer of timers) {
    const known = byId.get(timer.id);
    if (!known || timer.dueAt < known.dueAt) byId.set(timer.id, timer);
  }
  const unique = [...byId.values()];
  for (let i = 0; i < unique.length; i += ROWS_PER_INSERT) await upsertTimers(tx, unique.slice(i, i + ROWS_PER_INSERT), now);
  const soon = unique.filter((timer) => timer.dueAt <= now);
  for (const orgId of new Set(soon.map((timer) => timer.orgId ?? ''))) tx.publish({ type: 'jobs.ready', orgId });
}

async function upsertTimers(tx: Transaction, timers: NewTimer[], now: number): Promise<void> {
  await tx.db
    .insertInto('jobs')
    .values(
      timers.map((timer) => ({
        id: timer.id,
        org_id: timer.orgId,
        kind: timer.kind,
        subject_id: timer.subjectId,
        state: 'pending' as const,
        due_at: timer.dueAt,
        attempts: 0,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        due_at: eb
          .case()
          .when(eb.ref('excluded.due_at'), '<', eb.ref('jobs.due_at'))
          .then(eb.ref('excluded.due_at'))
          .else(eb.ref('jobs.due_at'))
          .end(),
        state: 'pending',
        claimed_until: null,
        attempts: 0,
        last_error: null,
        updated_at: now,
      })),
    )
    .execute();
}

/**
 * The ids of up to `limit` jobs of `kinds` due at `at`, soonest first. A running job's
 * `due_at` is its claim's end (src/jobs/job-worker.ts), so one ordered range of the
 * `jobs_ready` index finds both what is due and what a crashed worker held, however many
 * timers wait for later.
 */
export function dueJobsQuery(db: Executor, kinds: string[], at: number, limit: number) {
  return (
    db
      .selectFrom('jobs')
      .select('id')
      // Written as in the index's predicate, literally: SQLite uses a partial index only then.
      .where(sql<boolean>`state in ('pending', 'running')`)
      .where('due_at', '<=', at)
      .where('kind', 'in', kinds)
      .orderBy('due_at')
      .limit(limit)
  );
}
