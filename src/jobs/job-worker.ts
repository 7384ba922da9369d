import type { Db, Transaction } from '../db/database.js';
import { dueJobsQuery } from '../db/queries/jobs.js';
import type { JobTable } from '../db/schema.js';
import { backoffDelay } from '../domain/backoff.js';

/**
 * The one mechanism for durable work besides sending (STYLE.md 13): a job is a row written
 * in the transaction of the change that causes it (src/db/queries/jobs.ts); this worker
 * claims due rows — `SKIP LOCKED` on PostgreSQL, so several processes share the queue — runs
 * each kind's handler, and records the result together with the handler's own writes in one
 * transaction that commits only while the claim still holds. A worker that dies mid-job
 * leaves a claim that runs out, and the job is claimed again: a job's effect is recorded
 * exactly once, and a handler must tolerate running again after a crash (store first, by
 * content, then record).
 */

/** A claimed job, as a handler sees it. */
export type Job = Pick<JobTable, 'id' | 'org_id' | 'kind' | 'subject_id' | 'payload' | 'attempts' | 'created_at'>;

/**
 * What a `done` job's `apply` may answer: its condition, checked again under the recording
 * transaction's locks, no longer holds, so it books this next run instead of what `run` said.
 */
export interface Deferred {
  runAgainAt: number;
}

/** What became of one run of a job. `apply` writes the handler's result in the recording transaction. */
export type JobOutcome =
  /** `runAgainAt`: a recurring job books its next run instead of ending. */
  | { state: 'done'; apply?: (tx: Transaction) => Promise<void> | Promise<Deferred | undefined>; runAgainAt?: number }
  /** `apply` records the attempt (a delivery log) whether the job is retried or, out of attempts, given up. */
  | { state: 'retry'; reason: string; retryAfterMs?: number; apply?: (tx: Transaction) => Promise<void> }
  | { state: 'failed'; reason: string; apply?: (tx: Transaction) => Promise<void> };

export interface JobHandler {
  readonly kind: string;
  run(job: Job): Promise<JobOutcome>;
  /** Called in the recording transaction when the job gives up: after its last retry, or failed at once. */
  giveUp(tx: Transaction, job: Job, reason: string): Promise<void>;
  /** Retries until this many attempts; then `giveUp`. */
  readonly maxAttempts: number;
  readonly backoff: { baseMs: number; capMs: number };
  /** A claim older than this is taken to be a crashed worker's. Longer than any one run. */
  readonly claimMs: number;
}

export interface JobWorkerOptions {
  /** Jobs run at once by this process. */
  concurrency: number;
  /** Jobs run at once while `busy` says the server is answering webhooks: they come first. */
  busyConcurrency: number;
  /**
   * While `backlogged` says webhooks wait in line for the store, jobs give them the machine:
   * one job starts per this many milliseconds, so media still arrives during a surge, ...
   */
  backlogIntervalMs: number;
  /**
   * ... and besides, jobs due this long ago run one at a time, so a long surge delays a job
   * by this much at most beyond what running one at a time would (DESIGN.md §13: a fetch ends
   * within five minutes).
   */
  backlogOverdueMs: number;
  /** How often to look for due jobs when nothing wakes the worker: an idle server's one query a second. */
  pollMs: number;
}

interface Logger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class JobWorker {
  private readonly options: JobWorkerOptions;
  private readonly handlers: Map<string, JobHandler>;
  private readonly running = new Set<Promise<void>>();
  /** When this worker last started a job, on the monotonic clock. */
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private started = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly onChange = (event: { type: string }) => {
    // In a backlog every stored batch with media announces jobs; the poll looks instead,
    // rather than a claim per batch competing with the batches.
    if (event.type === 'jobs.ready' && !this.deps.backlogged?.()) this.wake?.();
  };

  constructor(
    private readonly deps: { db: Db; now: () => number; logger: Logger; busy?: () => boolean; backlogged?: () => boolean },
    handlers: JobHandler[],
    options: Partial<JobWorkerOptions> = {},
  ) {
    this.options = { concurrency: 4, busyConcurrency: 1, backlogIntervalMs: 1000, backlogOverdueMs: 20_000, pollMs: 1000, ...options };
    this.handlers = new Map(handlers.map((handler) => [handler.kind, handler]));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.deps.db.changes.on('change', this.onChange);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.deps.db.changes.off('change', this.onChange);
    this.wake?.();
    await this.loop;
    await Promise.all(this.running);
  }

  /** Claims what is due and runs it to its recorded end. Exposed for tests and the CLI. */
  async runOnce(): Promise<number> {
    const jobs = await this.claim(this.options.concurrency);
    await Promise.all(jobs.map((job) => this.execute(job)));
    return jobs.length;
  }

  private async run(): Promise<void> {
    while (this.started) {
      let claimed = 0;
      try {
        const free = this.concurrencyNow() - this.running.size;
        if (free > 0) {
          const jobs = await this.claim(free, this.dueByNow());
          claimed = jobs.length;
          if (claimed > 0) this.lastStartedAt = performance.now();
          for (const job of jobs) {
            const execution: Promise<void> = this.execute(job).finally(() => {
              this.running.delete(execution);
              this.wake?.();
            });
            this.running.add(execution);
          }
        }
      } catch (error) {
        this.deps.logger.error({ err: error }, 'job claim failed');
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() clears `started` while the claim is awaited
      if (!this.started) break;
      // A full claim means more may be due: look again as soon as a slot is free.
      const full = this.running.size >= this.concurrencyNow();
      if (claimed > 0 && !full) continue;
      await new Promise<void>((resolve) => {
        // Full: a finished job wakes the worker; the poll notices when the webhooks stop.
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private concurrencyNow(): number {
    const { concurrency, busyConcurrency } = this.options;
    if (this.deps.backlogged?.()) return Math.min(1, concurrency);
    return this.deps.busy?.() ? Math.min(busyConcurrency, concurrency) : concurrency;
  }

  /** Jobs due by this time may be claimed now: in a backlog, only overdue ones, but for one job per interval. */
  private dueByNow(): number {
    const at = this.deps.now();
    const { backlogIntervalMs, backlogOverdueMs } = this.options;
    if (!this.deps.backlogged?.() || performance.now() - this.lastStartedAt >= backlogIntervalMs) return at;
    return at - backlogOverdueMs;
  }

  /** Claims up to `limit` jobs due by `dueBy` with one statement; each gets its kind's claim length. */
  private async claim(limit: number, dueBy = this.deps.now()): Promise<JobTable[]> {
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return [];
    const { db, now } = this.deps;
    const at = now();
    // A transaction, though one statement: on SQLite it then takes its turn with the other
    // writes (the ingest thread's batches among them) instead of waiting for their lock
    // inside a synchronous call, on the thread that serves HTTP.
    return db.transaction((tx) => {
      const due = db.skipLocked(dueJobsQuery(tx.db, kinds, dueBy, limit));
      return tx.db
        .updateTable('jobs')
        .set((eb) => {
          const [first, ...rest] = [...this.handlers.values()];
          let claimedUntil = eb
            .case()
            .when('kind', '=', first!.kind)
            .then(at + first!.claimMs);
          for (const handler of rest) claimedUntil = claimedUntil.when('kind', '=', handler.kind).then(at + handler.claimMs);
          const claimEnd = claimedUntil.else(at).end();
          return {
            state: 'running',
            claimed_until: claimEnd,
            due_at: claimEnd,
            attempts: eb('attempts', '+', 1),
            updated_at: at,
          };
        })
        .where('id', 'in', due)
        .returningAll()
        .execute();
    });
  }

  private async execute(job: JobTable): Promise<void> {
    const handler = this.handlers.get(job.kind)!;
    let outcome: JobOutcome;
    try {
      outcome = await handler.run(job);
    } catch (error) {
      outcome = { state: 'retry', reason: error instanceof Error ? error.message : String(error) };
    }
    try {
      await this.record(job, handler, outcome);
    } catch (error) {
      // Nothing recorded: the claim runs out and the job runs again.
      this.deps.logger.error(
        { err: error, jobId: job.id, kind: job.kind },
        'could not record a job; it will run again when its claim runs out',
      );
    }
  }

  /** Records the outcome and the handler's writes in one transaction, only while this claim holds. */
  private async record(job: JobTable, handler: JobHandler, outcome: JobOutcome): Promise<void> {
    const { db, now } = this.deps;
    await db.transaction(async (tx) => {
      if (outcome.state === 'done' && outcome.runAgainAt === undefined) {
        // The delete is the claim's check: no row means another worker holds the job now.
        const deleted = await tx.db
          .deleteFrom('jobs')
          .where('id', '=', job.id)
          .where('state', '=', 'running')
          .where('claimed_until', '=', job.claimed_until)
          .returning('id')
          .executeTakeFirst();
        if (!deleted) return;
        const deferred = await outcome.apply?.(tx);
        // Its condition no longer holds under this transaction's locks: the job stays, booked again.
        if (deferred) {
          await tx.db
            .insertInto('jobs')
            .values({
              ...job,
              state: 'pending',
              due_at: deferred.runAgainAt,
              claimed_until: null,
              attempts: 0,
              last_error: null,
              updated_at: now(),
            })
            .execute();
        }
        return;
      }
      const held = await tx
        .forUpdate(
          tx.db
            .selectFrom('jobs')
            .select('id')
            .where('id', '=', job.id)
            .where('state', '=', 'running')
            .where('claimed_until', '=', job.claimed_until),
        )
        .executeTakeFirst();
      if (!held) return;
      const at = now();
      if (outcome.state === 'retry') await outcome.apply?.(tx);
      if (outcome.state === 'retry' && job.attempts < handler.maxAttempts) {
        const delay = Math.max(outcome.retryAfterMs ?? 0, backoffDelay(job.attempts, handler.backoff));
        await tx.db
          .updateTable('jobs')
          .set({ state: 'pending', due_at: at + delay, claimed_until: null, last_error: outcome.reason, updated_at: at })
          .where('id', '=', job.id)
          .execute();
        this.deps.logger.warn(
          { jobId: job.id, kind: job.kind, attempt: job.attempts, delay, reason: outcome.reason },
          'job will be retried',
        );
        return;
      }
      if (outcome.state === 'done') {
        const deferred = await outcome.apply?.(tx);
        const runAgainAt = deferred ? deferred.runAgainAt : outcome.runAgainAt;
        if (runAgainAt === undefined) {
          await tx.db.deleteFrom('jobs').where('id', '=', job.id).execute();
          return;
        }
        await tx.db
          .updateTable('jobs')
          .set({ state: 'pending', due_at: runAgainAt, claimed_until: null, attempts: 0, last_error: null, updated_at: at })
          .where('id', '=', job.id)
          .execute();
        return;
      }
      const reason = outcome.state === 'retry' ? `Gave up after ${job.attempts} attempts: ${outcome.reason}` : outcome.reason;
      if (outcome.state === 'failed') await outcome.apply?.(tx);
      await handler.giveUp(tx, job, reason);
      await tx.db
        .updateTable('jobs')
        .set({ state: 'failed', claimed_until: null, last_error: reason, updated_at: at })
        .where('id', '=', job.id)
        .execute();
    });
  }
}
