import type { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import type { BeforeCommitHook, ChangeEvent, Executor, Transaction } from '../database.js';
import type { Checkpointer } from './checkpointer.js';
import type { WalSync } from './wal-sync.js';

/** How many transactions may share one SQLite commit. */
const GROUP_COMMIT_MAX = 64;

type QueuedWrite =
  | { kind: 'here'; fn: (tx: Transaction) => Promise<unknown>; resolve(value: unknown): void; reject(error: unknown): void }
  | {
      kind: 'elsewhere';
      write: () => Promise<{ value: unknown; events: ChangeEvent[] }>;
      committed: (() => void) | undefined;
      resolve(value: unknown): void;
      reject(error: unknown): void;
    };

/**
 * SQLite transactions with group commit. SQLite has one writer, so transactions queue
 * anyway; those that queue up while one commit is being written run back to back in the
 * next `BEGIN IMMEDIATE … COMMIT`, each inside its own savepoint. Each one's outcome is
 * reported only after the commit that holds it: an acknowledged write is a committed write.
 * A transaction that throws is rolled back to its savepoint and leaves the others intact.
 * A write another connection makes (`writeElsewhere`) takes its turn in the same queue;
 * that connection commits without a sync, and `walSync` syncs its commits in the
 * background while the next write runs: its outcome is reported once its commit is on
 * disk. Outcomes are reported in commit order. The `beforeCommit` hooks run per
 * transaction inside its savepoint, so what they write rolls back with it.
 */
export function groupCommit(
  kysely: Executor,
  changes: EventEmitter<{ change: [ChangeEvent] }>,
  checkpointer: Checkpointer | null,
  walSync: WalSync | null,
  hooks: readonly BeforeCommitHook[] = [],
) {
  const queue: QueuedWrite[] = [];
  let running = false;
  let reported: Promise<void> = Promise.resolve();

  /** Reports a commit's outcomes after those of every earlier commit, once `onDisk` resolves. */
  function reportInOrder(onDisk: Promise<void>, report: () => void, fail: (error: unknown) => void): void {
    reported = Promise.all([reported, onDisk]).then(report, fail).catch(rethrowOutside);
  }

  async function commitHere(batch: Array<Extract<QueuedWrite, { kind: 'here' }>>): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown; events: ChangeEvent[] } | { ok: false; error: unknown }> = [];
    try {
      await kysely.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          for (const item of batch) {
            const events: ChangeEvent[] = [];
            await sql`savepoint caseline_tx`.execute(conn);
            try {
              const tx: Transaction = { db: conn, publish: (e) => events.push(e), forUpdate: (query) => query };
              const value = await item.fn(tx);
              if (hooks.length > 0 && events.length > 0) {
                const published = [...events];
                for (const hook of hooks) await hook(tx, published);
              }
              await sql`release caseline_tx`.execute(conn);
              outcomes.push({ ok: true, value, events });
            } catch (error) {
              await sql`rollback to caseline_tx`.execute(conn);
              await sql`release caseline_tx`.execute(conn);
              outcomes.push({ ok: false, error });
            }
          }
          await sql`commit`.execute(conn);
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => {});
          throw error;
        }
      });
    } catch (error) {
      // The commit itself failed: nothing in the batch happened.
      for (const item of batch) item.reject(error);
      return;
    }
    checkpointer?.afterCommit();
    // This connection syncs at commit (`synchronous = FULL`).
    reportInOrder(
      Promise.resolve(),
      () =>
        batch.forEach((item, i) => {
          const outcome = outcomes[i]!;
          if (!outcome.ok) {
            item.reject(outcome.error);
            return;
          }
          for (const event of outcome.events) changes.emit('change', event);
          item.resolve(outcome.value);
        }),
      (error) => batch.forEach((item) => item.reject(error)),
    );
  }

  async function commitElsewhere(item: Extract<QueuedWrite, { kind: 'elsewhere' }>): Promise<void> {
    let outcome: { value: unknown; events: ChangeEvent[] };
    try {
      outcome = await item.write();
    } catch (error) {
      item.reject(error);
      return;
    }
    checkpointer?.afterCommit();
    item.committed?.();
    reportInOrder(
      walSync?.afterCommit() ?? Promise.resolve(),
      () => {
        for (const event of outcome.events) changes.emit('change', event);
        item.resolve(outcome.value);
      },
      (error) => item.reject(error),
    );
  }

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        const first = queue[0]!;
        if (first.kind === 'elsewhere') {
          // Its batch gathered while the write before it ran: it starts at once, so the
          // other connection does not sit idle.
          queue.shift();
          await checkpointer?.beforeWrite();
          await commitElsewhere(first);
          continue;
        }
        // One turn of the event loop lets requests that are already in flight join this
        // commit instead of waiting for the next one.
        await new Promise((resolve) => setImmediate(resolve));
        await checkpointer?.beforeWrite();
        const elsewhere = queue.findIndex((item) => item.kind === 'elsewhere');
        const count = Math.min(elsewhere === -1 ? queue.length : elsewhere, GROUP_COMMIT_MAX);
        await commitHere(queue.splice(0, count) as Array<Extract<QueuedWrite, { kind: 'here' }>>);
      }
    } finally {
      running = false;
    }
  }

  const enqueue = (item: QueuedWrite) => {
    queue.push(item);
    if (!running) void drain();
  };

  return {
    transaction: <T>(fn: (tx: Transaction) => Promise<T>): Promise<T> =>
      new Promise<T>((resolve, reject) => enqueue({ kind: 'here', fn, resolve: resolve, reject })),
    /**
     * Runs `write` on the other connection in its turn; resolves once its commit is on disk.
     * `committed` is called as soon as it has committed, before that.
     */
    writeElsewhere: <T>(write: () => Promise<{ value: T; events: ChangeEvent[] }>, committed?: () => void): Promise<T> =>
      new Promise<T>((resolve, reject) => enqueue({ kind: 'elsewhere', write, committed, resolve: resolve, reject })),
  };
}

/**
 * An error thrown while reporting (by a change listener) surfaces as it did when reporting
 * was synchronous, instead of failing the reports of later commits.
 */
function rethrowOutside(error: unknown): void {
  setImmediate(() => {
    throw error;
  });
}
