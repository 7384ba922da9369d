import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import { idleThread } from './idle-thread.js';

/**
 * Moves SQLite's WAL checkpoints off the event loop.
 *
 * By default the connection that commits also checkpoints: every ~1,000 pages of WAL, one
 * commit copies them into the database file and fsyncs it, on the thread that serves HTTP.
 * Under ingest load that was ~45% of commit time (docs/benchmarks.md). Here the main
 * connection never checkpoints; a worker thread with its own connection runs PASSIVE
 * checkpoints (which never block the writer) one after another while commits continue.
 *
 * A passive checkpoint that runs beside a writer cannot finish: frames keep arriving behind
 * it, so SQLite never starts the WAL over and the file (and every page lookup in it) grows.
 * So once the WAL passes `restartFrames`, the next write waits — asynchronously, HTTP goes
 * on — for one checkpoint with no writer beside it; it ends with everything copied, and
 * that next write starts the WAL from the beginning.
 */
export interface Checkpointer {
  /** Called after each commit: keeps a background checkpoint running. */
  afterCommit(): void;
  /** Called before each write transaction: waits for a full checkpoint when the WAL is long. */
  beforeWrite(): Promise<void>;
  close(): Promise<void>;
}

interface CheckpointResult {
  /** Frames in the WAL. */
  log: number;
  /** Frames of it copied into the database file. */
  checkpointed: number;
}

/** Commits come in bursts; a pause this long frees the thread until the next one. */
const DEFAULT_QUIET_MS = 10_000;

/** ~40 MiB of WAL at 4 KiB pages. */
const DEFAULT_RESTART_FRAMES = 10_000;

// Plain CommonJS, so the worker needs no TypeScript loader (it also runs under Vitest).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
parentPort.on('message', () => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ log: row.log, checkpointed: row.checkpointed });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
});
`;

export function startCheckpointer(
  sqlite: SqliteDatabase.Database,
  path: string,
  options: { restartFrames?: number; quietMs?: number } = {},
): Checkpointer {
  const restartFrames = options.restartFrames ?? DEFAULT_RESTART_FRAMES;
  sqlite.pragma('wal_autocheckpoint = 0');
  let running: Promise<CheckpointResult | null> | null = null;
  let settle: ((result: CheckpointResult | null) => void) | null = null;
  let walFrames = 0;
  let failed = false;

  // If the worker cannot run, the connection checkpoints for itself again, as SQLite does
  // by default: slower commits, never an unbounded WAL.
  const fallBack = () => {
    if (failed) return;
    failed = true;
    sqlite.pragma('wal_autocheckpoint = 1000');
    settle?.(null);
  };
  // Started by the first commit and stopped when commits pause (./idle-thread.ts).
  const threads = idleThread({
    quietMs: options.quietMs ?? DEFAULT_QUIET_MS,
    start() {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { path, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
      });
      worker.on('message', (message: CheckpointResult | { error: string }) => {
        const result = 'error' in message ? null : message;
        if (result) walFrames = result.log;
        settle?.(result);
      });
      return worker;
    },
    stop: (worker) => void worker.terminate(),
    failed: fallBack,
  });

  const checkpoint = (): Promise<CheckpointResult | null> => {
    running ??= new Promise<CheckpointResult | null>((resolve) => {
      settle = resolve;
      threads.get().postMessage(null);
    }).finally(() => {
      running = null;
      settle = null;
      threads.quiet();
    });
    return running;
  };

  return {
    afterCommit() {
      if (!failed && !running) void checkpoint();
    },
    async beforeWrite() {
      if (failed || walFrames < restartFrames) return;
      await running;
      // SQLite starts the WAL over only in a write transaction that began after a
      // checkpoint copied every frame; a background checkpoint always ends while the next
      // transaction is already open, so this one runs with no writer beside it.
      // `close()` may have run during the await above; the rule cannot see that.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      const result = failed ? null : await checkpoint();
      if (result && result.checkpointed === result.log) walFrames = 0;
    },
    async close() {
      failed = true;
      await running;
      await threads.close();
    },
  };
}
