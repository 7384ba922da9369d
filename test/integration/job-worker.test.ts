import { beforeAll, beforeEach, expect, it } from 'vitest';
import { openDatabase, type Db, type Transaction } from '../../src/db/database.js';
import { enqueueJobs, scheduleTimers } from '../../src/db/queries/jobs.js';
import { JobWorker, type Job, type JobHandler, type JobOutcome } from '../../src/jobs/job-worker.js';
import { describeEachDialect, scratchDatabase } from '../support/dialects.js';

const quiet = { warn: () => {}, error: () => {} };

/** A handler whose outcome each test decides, counting runs and recorded results per subject. */
function testHandler(decide: (job: Job) => Promise<JobOutcome> | JobOutcome, overrides: Partial<JobHandler> = {}) {
  const runs = new Map<string, number>();
  const applied = new Map<string, number>();
  const gaveUp = new Map<string, string>();
  const handler: JobHandler = {
    kind: 'test.job',
    maxAttempts: 3,
    backoff: { baseMs: 1000, capMs: 4000 },
    claimMs: 10_000,
    async run(job) {
      runs.set(job.subject_id, (runs.get(job.subject_id) ?? 0) + 1);
      return decide(job);
    },
    giveUp(_tx, job, reason) {
      gaveUp.set(job.subject_id, reason);
      return Promise.resolve();
    },
    ...overrides,
  };
  const done = (job: Job): JobOutcome => ({
    state: 'done',
    apply: (_tx: Transaction) => {
      applied.set(job.subject_id, (applied.get(job.subject_id) ?? 0) + 1);
      return Promise.resolve();
    },
  });
  return { handler, runs, applied, gaveUp, done };
}

describeEachDialect('the durable job worker', (dialect) => {
  const scratch = scratchDatabase(dialect, 'caseline-jobs-');
  let db: Db;
  let clock = 1_000_000;
  const now = () => clock;

  beforeAll(() => {
    db = scratch.db;
  });

  beforeEach(async () => {
    await db.kysely.deleteFrom('jobs').execute();
    clock = 1_000_000;
  });

  async function enqueue(subjects: string[], dueAt = clock): Promise<void> {
    await db.transaction((tx) =>
      enqueueJobs(
        tx,
        subjects.map((subject) => ({ id: `job-${subject}`, orgId: null, kind: 'test.job', subjectId: subject, dueAt })),
        clock,
      ),
    );
  }

  it('runs a committed job once and removes it; a job whose transaction rolled back never exists', async () => {
    const { handler, runs, applied, done } = testHandler((job) => done(job));
    await enqueue(['a']);
    await expect(
      db.transaction(async (tx) => {
        await enqueueJobs(tx, [{ id: 'job-b', orgId: null, kind: 'test.job', subjectId: 'b', dueAt: clock }], clock);
        throw new Error('the cause failed');
      }),
    ).rejects.toThrow('the cause failed');
    const worker = new JobWorker({ db, now, logger: quiet }, [handler]);
    expect(await worker.runOnce()).toBe(1);
    expect(await worker.runOnce()).toBe(0);
    expect(Object.fromEntries(runs)).toEqual({ a: 1 });
    expect(Object.fromEntries(applied)).toEqual({ a: 1 });
    expect(await db.kysely.selectFrom('jobs').selectAll().execute()).toEqual([]);
  });

  it('writes thousands of jobs and timers from one transaction (more than one statement binds)', async () => {
    const many = Array.from({ length: 8_000 }, (_, i) => String(i).padStart(5, '0'));
    await enqueue(many);
    await db.transaction((tx) =>
      scheduleTimers(
        tx,
        [...many, ...many].map((subject) => ({
          id: `timer-${subject}`,
          orgId: null,
          kind: 'test.timer',
          subjectId: subject,
          dueAt: clock,
        })),
        clock,
      ),
    );
    const counts = await db.kysely
      .selectFrom('jobs')
      .select(['kind', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('kind')
      .orderBy('kind')
      .execute();
    expect(counts.map((row) => [row.kind, Number(row.n)])).toEqual([
      ['test.job', 8_000],
      ['test.timer', 8_000],
    ]);
  });

  it('does not run a job before it is due', async () => {
    const { handler, runs, done } = testHandler((job) => done(job));
    await enqueue(['later'], clock + 5000);
    const worker = new JobWorker({ db, now, logger: quiet }, [handler]);
    expect(await worker.runOnce()).toBe(0);
    clock += 5000;
    expect(await worker.runOnce()).toBe(1);
    expect(runs.get('later')).toBe(1);
  });

  it('retries a transient failure with backoff, then gives up with the reason after the last attempt', async () => {
    const { handler, runs, gaveUp } = testHandler(() => ({ state: 'retry', reason: 'provider answered 503' }));
    await enqueue(['flaky']);
    const worker = new JobWorker({ db, now, logger: quiet }, [handler]);
    expect(await worker.runOnce()).toBe(1);
    const first = await db.kysely.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(first.state).toBe('pending');
    expect(first.last_error).toBe('provider answered 503');
    // Equal jitter: attempt 1 waits between half and all of the base.
    expect(Number(first.due_at) - clock).toBeGreaterThanOrEqual(500);
    expect(Number(first.due_at) - clock).toBeLessThanOrEqual(1000);
    expect(await worker.runOnce()).toBe(0);
    for (let attempt = 2; attempt <= 3; attempt += 1) {
      clock += 5000;
      expect(await worker.runOnce()).toBe(1);
    }
    expect(runs.get('flaky')).toBe(3);
    expect(gaveUp.get('flaky')).toBe('Gave up after 3 attempts: provider answered 503');
    const last = await db.kysely.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(last.state).toBe('failed');
    clock += 60_000;
    expect(await worker.runOnce()).toBe(0);
  });

  it('gives up at once on a permanent failure, and a handler that throws is retried', async () => {
    const { handler, gaveUp, runs } = testHandler((job) => {
      if (job.subject_id === 'gone') return { state: 'failed', reason: 'The provider no longer has this file (404)' };
      throw new Error('socket hang up');
    });
    await enqueue(['gone', 'throws']);
    const worker = new JobWorker({ db, now, logger: quiet }, [handler]);
    expect(await worker.runOnce()).toBe(2);
    expect(gaveUp.get('gone')).toBe('The provider no longer has this file (404)');
    const throws = await db.kysely.selectFrom('jobs').selectAll().where('subject_id', '=', 'throws').executeTakeFirstOrThrow();
    expect(throws.state).toBe('pending');
    expect(throws.last_error).toBe('socket hang up');
    expect(runs.get('throws')).toBe(1);
  });

  it('a crashed worker’s job is claimed again once its claim runs out, and only the holder’s result is recorded', async () => {
    const gate = () => {
      let open: () => void = () => {};
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { opened, open };
    };
    const firstGate = gate();
    const secondGate = gate();
    const slow = testHandler(async (job) => {
      await firstGate.opened;
      return slow.done(job);
    });
    const later = testHandler(async (job) => {
      await secondGate.opened;
      return later.done(job);
    });
    await enqueue(['slow']);
    const first = new JobWorker({ db, now, logger: quiet }, [slow.handler]);
    const firstRun = first.runOnce();
    await expect.poll(() => slow.runs.get('slow')).toBe(1);
    const second = new JobWorker({ db, now, logger: quiet }, [later.handler]);
    // The first worker holds the claim: nobody else may take the job meanwhile.
    expect(await second.runOnce()).toBe(0);
    // The first worker is taken to have crashed once its claim runs out.
    clock += 10_001;
    const secondRun = second.runOnce();
    await expect.poll(() => later.runs.get('slow')).toBe(1);
    // The first worker wakes up while the second holds the job: its result is not recorded.
    firstGate.open();
    await firstRun;
    expect(slow.applied.get('slow')).toBeUndefined();
    expect(await db.kysely.selectFrom('jobs').select('state').execute()).toEqual([{ state: 'running' }]);
    secondGate.open();
    expect(await secondRun).toBe(1);
    expect(later.applied.get('slow')).toBe(1);
    expect(await db.kysely.selectFrom('jobs').selectAll().execute()).toEqual([]);
  });

  it('two workers on two connections share the queue: every job runs exactly once', async () => {
    const other = await openDatabase(scratch.config, { listen: false });
    try {
      const subjects = Array.from({ length: 60 }, (_, i) => `s${i}`);
      await enqueue(subjects);
      const applied = new Map<string, number>();
      const handlerFor = (): JobHandler => ({
        ...testHandler(() => ({ state: 'done' })).handler,
        run: async (job) => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
          return {
            state: 'done',
            apply: () => {
              applied.set(job.subject_id, (applied.get(job.subject_id) ?? 0) + 1);
              return Promise.resolve();
            },
          };
        },
      });
      const workers = [
        new JobWorker({ db, now, logger: quiet }, [handlerFor()], { concurrency: 4 }),
        new JobWorker({ db: other, now, logger: quiet }, [handlerFor()], { concurrency: 4 }),
      ];
      for (let round = 0; round < 60 && applied.size < subjects.length; round += 1) {
        await Promise.all(workers.map((worker) => worker.runOnce()));
      }
      expect([...applied.keys()].sort()).toEqual([...subjects].sort());
      expect([...applied.values()].every((count) => count === 1)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('started, it runs a job as soon as the transaction that wrote it commits', async () => {
    const { handler, applied, done } = testHandler((job) => done(job));
    const worker = new JobWorker({ db, now, logger: quiet }, [handler], { pollMs: 60_000 });
    worker.start();
    try {
      // The first look finds nothing; the commit's `jobs.ready` wakes the worker long before its next poll.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await enqueue(['woken']);
      await expect.poll(() => applied.get('woken'), { timeout: 5000 }).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it('runs one job at a time while the server is busy with webhooks, and all at once when it is not', async () => {
    let busy = true;
    let running = 0;
    let most = 0;
    const handler = testHandler(async (job) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 30));
      running -= 1;
      return handler.done(job);
    });
    await enqueue(Array.from({ length: 6 }, (_, i) => `busy-${i}`));
    const worker = new JobWorker({ db, now, logger: quiet, busy: () => busy }, [handler.handler], { concurrency: 4, pollMs: 20 });
    worker.start();
    try {
      await expect.poll(() => handler.applied.size, { timeout: 5000 }).toBe(6);
      expect(most).toBe(1);
      busy = false;
      most = 0;
      await enqueue(Array.from({ length: 8 }, (_, i) => `idle-${i}`));
      await expect.poll(() => handler.applied.size, { timeout: 5000 }).toBe(14);
      expect(most).toBeGreaterThan(1);
      expect(most).toBeLessThanOrEqual(4);
    } finally {
      await worker.stop();
    }
  });

  it('while webhooks wait in line, starts one job per interval at most, and catches up once they are through', async () => {
    let backlogged = true;
    const started: number[] = [];
    const handler = testHandler((job) => {
      started.push(performance.now());
      return handler.done(job);
    });
    await enqueue(Array.from({ length: 6 }, (_, i) => `backlog-${i}`));
    const interval = 200;
    const worker = new JobWorker({ db, now, logger: quiet, busy: () => true, backlogged: () => backlogged }, [handler.handler], {
      concurrency: 4,
      backlogIntervalMs: interval,
      pollMs: 20,
    });
    const from = performance.now();
    worker.start();
    try {
      // Media still arrive during a surge: the first job at once, then one per interval.
      await expect.poll(() => started.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
      await new Promise((resolve) => setTimeout(resolve, 3 * interval));
      const elapsed = performance.now() - from;
      expect(started.length).toBeLessThanOrEqual(Math.floor(elapsed / interval) + 1);
      expect(started.length).toBeLessThan(6);
      for (let i = 1; i < started.length; i++) expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(interval - 5);
      backlogged = false;
      await expect.poll(() => handler.applied.size, { timeout: 5000 }).toBe(6);
    } finally {
      await worker.stop();
    }
  });

  it('in a backlog, jobs overdue by the bound run one after another without waiting for the interval; newer ones still wait', async () => {
    let running = 0;
    let most = 0;
    const handler = testHandler(async (job) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return handler.done(job);
    });
    const overdueMs = 20_000;
    await enqueue(
      Array.from({ length: 5 }, (_, i) => `overdue-${i}`),
      clock - overdueMs - 1,
    );
    await enqueue(Array.from({ length: 5 }, (_, i) => `fresh-${i}`));
    const worker = new JobWorker({ db, now, logger: quiet, busy: () => true, backlogged: () => true }, [handler.handler], {
      concurrency: 4,
      backlogIntervalMs: 60_000,
      backlogOverdueMs: overdueMs,
      pollMs: 20,
    });
    worker.start();
    try {
      await expect.poll(() => [...handler.applied.keys()].filter((s) => s.startsWith('overdue-')).length, { timeout: 5000 }).toBe(5);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // One fresh job may have taken the first interval's turn; the rest wait for the next.
      expect([...handler.applied.keys()].filter((s) => s.startsWith('fresh-')).length).toBeLessThanOrEqual(1);
      expect(most).toBe(1);
    } finally {
      await worker.stop();
    }
  });
});
