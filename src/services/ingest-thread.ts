import { Worker } from 'node:worker_threads';
import type { ChangeEvent, Db } from '../db/database.js';
import { idClock } from './ids.js';
import { storeInTransaction, type BatchStore, type IngestNumber, type InboundItem, type ReceiveResult } from './ingest.js';

/**
 * SQLite only: stores inbound batches on a thread of their own.
 *
 * On SQLite every statement runs inside a synchronous call, so on one thread the HTTP work
 * of the next webhooks (parsing, signature, answering) waits while a batch is stored; at
 * full speed about half of that thread's time was SQLite (docs/benchmarks.md). Here a
 * worker thread with its own connection runs the same `storeBatch` (./ingest.ts) while
 * this thread goes on serving HTTP, so the two halves use two cores.
 *
 * A batch is one message each way — the items out; the answers and the committed changes
 * back — never one per statement: an earlier try that ran each statement on a worker
 * thread was slower, because every statement became a round trip through a busy event loop
 * (docs/decisions.md). Batches take their turn with this thread's own write transactions
 * (`Db.writeElsewhere`), so neither connection waits for the other's write lock, and an
 * answer comes back only after its batch committed. If the thread stops, batches are
 * stored on this thread from then on; one that was in flight is stored again, and the
 * duplicate check (rule 1) keeps what had committed from being stored twice.
 */
export interface IngestThread {
  store: BatchStore;
  /** Batches the thread has stored and committed. */
  readonly batchesStored: number;
  /** Lets the batch in flight finish, then ends the thread. */
  close(): Promise<void>;
  /** Ends the thread as a crash would (for the tests that prove nothing is lost then). */
  crash(): Promise<void>;
}

/** What the worker (./ingest-worker.ts) is started with. */
export interface IngestThreadData {
  path: string;
  idClock: SharedArrayBuffer;
}

export type IngestRequest = { id: number; items: InboundItem[]; now: number } | { close: true };
export type IngestReply = { id: number; results: ReceiveResult[]; events: ChangeEvent[] } | { id: number; error: string };

class IngestThreadStopped extends Error {}

export function startIngestThread(db: Db, path: string): IngestThread {
  const inThisThread = storeInTransaction(db);
  const pending = new Map<
    number,
    { resolve(reply: { value: ReceiveResult[]; events: ChangeEvent[] }): void; reject(error: Error): void }
  >();
  let worker: Worker | null = null;
  let stopped = false;
  let closing: Promise<void> | null = null;
  let nextId = 1;
  let batchesStored = 0;

  const stop = (error: Error) => {
    stopped = true;
    worker = null;
    for (const request of pending.values()) request.reject(error);
    pending.clear();
  };

  // Started on the first batch: a server that never receives a message never pays for it.
  const thread = (): Worker => {
    if (worker) return worker;
    const data: IngestThreadData = { path, idClock: idClock() };
    const started = new Worker(new URL('./ingest-worker.boot.mjs', import.meta.url), {
      execArgv: withoutLoaders(process.execArgv),
      workerData: data,
    });
    started.unref();
    started.on('message', (reply: IngestReply) => {
      const request = pending.get(reply.id);
      if (!request) return;
      pending.delete(reply.id);
      if ('error' in reply) request.reject(new Error(reply.error));
      else {
        batchesStored += 1;
        request.resolve({ value: reply.results, events: reply.events });
      }
    });
    started.on('error', (error) => stop(new IngestThreadStopped(`The ingest thread failed: ${error.message}`)));
    started.on('exit', (code) => stop(new IngestThreadStopped(`The ingest thread stopped (exit code ${code})`)));
    worker = started;
    return started;
  };

  const send = (items: InboundItem[], now: number) =>
    new Promise<{ value: ReceiveResult[]; events: ChangeEvent[] }>((resolve, reject) => {
      if (stopped) {
        reject(new IngestThreadStopped('The ingest thread has stopped'));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      thread().postMessage({ id, items: items.map(plain), now } satisfies IngestRequest);
    });

  return {
    get batchesStored() {
      return batchesStored;
    },
    async store(items, now) {
      if (!stopped && !closing) {
        try {
          return await db.writeElsewhere(() => send(items, now));
        } catch (error) {
          if (!(error instanceof IngestThreadStopped)) throw error;
        }
      }
      return inThisThread(items, now);
    },
    close() {
      closing ??= (async () => {
        const running = worker;
        if (!running) return;
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.postMessage({ close: true } satisfies IngestRequest);
        await exited;
      })();
      return closing;
    },
    async crash() {
      await worker?.terminate();
    },
  };
}

/**
 * This process's Node options (a profiler's, say) without module loaders: the thread
 * registers tsx itself (./ingest-worker.boot.mjs), the same way under every runner.
 */
function withoutLoaders(execArgv: string[]): string[] {
  const loader = /^(--import|--require|-r|--loader|--experimental-loader)(=|$)/;
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const match = loader.exec(execArgv[i]!);
    if (!match) kept.push(execArgv[i]!);
    else if (match[2] === '') i += 1;
  }
  return kept;
}

/**
 * The number as storing needs it, without its provider adapter and credentials. One object
 * per cached number, so a batch's items share it and it is copied once per batch.
 */
const plainNumbers = new WeakMap<IngestNumber, IngestNumber>();

function plain(item: InboundItem): InboundItem {
  let number = plainNumbers.get(item.number);
  if (!number) {
    const { id, org_id, multi_case_reply, their_number_question } = item.number.row;
    number = { row: { id, org_id, multi_case_reply, their_number_question }, survey: item.number.survey };
    plainNumbers.set(item.number, number);
  }
  return { number, message: item.message, contact: item.contact };
}
