import type { ServiceContext } from '../context.js';
import { storeInTransaction, type BatchStore, type InboundItem, type ReceiveResult } from './store-batch.js';

/**
 * Gathers inbound messages into batches (DESIGN.md §2 rules 1–7).
 *
 * Webhooks that arrive while earlier ones are being stored wait in a queue and are stored
 * together, in one transaction with a handful of set-based statements (./store-batch.ts),
 * instead of a transaction of their own each. Every message still gets the routing decision
 * of `routeInbound`, one after another in arrival order, and its webhook is answered only
 * after the commit that holds it. Under light load a batch is one message.
 *
 * Where a batch is stored is the caller's choice (`BatchStore`): in this thread's
 * transaction, or on SQLite on the database's second writer (./store-batch-thread.ts).
 */
const MAX_BATCH = 100;
/**
 * A batch this large means webhooks arrived faster than batches commit: they wait in line,
 * and background work should make way (`backloggedWithin`). Under light load batches are
 * one message, and at a store's steady pace a few.
 */
const BACKLOG_BATCH = 10;

interface Waiting {
  item: InboundItem;
  resolve(result: ReceiveResult): void;
  reject(error: unknown): void;
}

/** The queue in front of the store: webhooks wait here while the batch before them is stored. */
export function createBatcher(ctx: ServiceContext, store: BatchStore = storeInTransaction(ctx.db)) {
  const { db } = ctx;
  const queue: Waiting[] = [];
  let active = 0;
  /** When a batch last started with webhooks waiting in line, on the monotonic clock. */
  let backlogAt = Number.NEGATIVE_INFINITY;

  function pump(): void {
    // On PostgreSQL batches lock disjoint contacts and run side by side; on SQLite one batch
    // stores while the next one gathers, so each commit carries as many messages as possible.
    while (active < db.writeConcurrency && queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      if (batch.length >= BACKLOG_BATCH) backlogAt = performance.now();
      active += 1;
      void run(batch);
    }
  }

  /** Lets the next batch start. */
  function done(): void {
    active -= 1;
    pump();
  }

  async function run(batch: Waiting[]): Promise<void> {
    let results: ReceiveResult[];
    let nextStarted = false;
    // The next batch starts storing once this one has committed, even while its commit is
    // still on its way to the disk; these webhooks are answered only once it is there.
    const startNext = () => {
      if (nextStarted) return;
      nextStarted = true;
      done();
    };
    try {
      results = await store(
        batch.map((w) => w.item),
        ctx.now(),
        startNext,
      );
    } catch (error) {
      if (batch.length > 1) {
        // Something in the batch failed: store each message alone, so one cannot sink the
        // rest, before the next batch (which may hold later messages of the same people).
        for (const waiting of batch) await storeAlone(waiting);
      } else batch[0]!.reject(error);
      startNext();
      return;
    }
    // The next batch starts storing before these webhooks are answered.
    startNext();
    batch.forEach((w, i) => w.resolve(results[i]!));
  }

  async function storeAlone(waiting: Waiting): Promise<void> {
    try {
      const [result] = await store([waiting.item], ctx.now());
      waiting.resolve(result!);
    } catch (error) {
      waiting.reject(error);
    }
  }

  return {
    /** Stores and routes one message; resolves once it is committed. */
    receive(item: InboundItem): Promise<ReceiveResult> {
      return new Promise((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
    /** Whether webhooks waited in line for the store within the last `ms`. */
    backloggedWithin: (ms: number) => performance.now() - backlogAt < ms,
  };
}
