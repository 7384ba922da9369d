import type { Db } from '../../db/database.js';
import { moduleBeside, SecondWriterStopped } from '../../db/second-writer.js';
import { idClock } from '../ids.js';
import { subscriptionsGeneration } from '../outbound-webhooks/subscription-cache.js';
import type { StoreBatchInput, StoreBatchThreadData } from './store-batch-thread.js';
import { storeInTransaction, type BatchStore, type IngestNumber, type InboundItem, type ReceiveResult } from './store-batch.js';

/**
 * Stores inbound batches on the database's second writer where it has one (SQLite with a
 * database file: a thread of its own, so this thread goes on serving HTTP meanwhile).
 * If the thread stops, batches are stored on this thread from then on; one that was in
 * flight is stored again, and the duplicate check (rule 1) keeps what had committed from
 * being stored twice.
 */
export interface IngestThread {
  store: BatchStore;
  /** Batches the thread has stored and committed. */
  readonly batchesStored: number;
  /** Lets the batch in flight finish, then ends the thread. */
  close(): Promise<void>;
  /** Ends the thread as a crash would (for the tests that prove nothing is lost then). */
  crash(): Promise<void>;
  /**
   * Calls `listener` once, when the thread has stopped without being asked to and batches
   * move to this thread: nothing is lost, but ingest is slower, and an operator should know.
   */
  onStopped(listener: (error: Error) => void): void;
}

/** Null where the database has no second writer (PostgreSQL, an in-memory SQLite). */
export function startIngestThread(db: Db): IngestThread | null {
  const data: StoreBatchThreadData = { idClock: idClock(), webhookSubscriptions: subscriptionsGeneration() };
  const writer = db.openSecondWriter<StoreBatchInput, ReceiveResult[]>(moduleBeside(import.meta.url, 'store-batch-thread'), data);
  if (!writer) return null;
  const inThisThread = storeInTransaction(db);
  let closed = false;
  let reportStopped: ((error: Error) => void) | null = null;
  return {
    get batchesStored() {
      return writer.writesCommitted;
    },
    async store(items, now, committed) {
      try {
        return await writer.write({ items: items.map(plain), now }, committed);
      } catch (error) {
        if (!(error instanceof SecondWriterStopped)) throw error;
        if (!closed) reportStopped?.(error);
        reportStopped = null;
      }
      return inThisThread(items, now);
    },
    close: () => {
      closed = true;
      return writer.close();
    },
    crash: () => writer.crash(),
    onStopped: (listener) => void (reportStopped = listener),
  };
}

/**
 * The number as storing needs it, without its provider adapter and credentials. One object
 * per cached number, so a batch's items share it and it is copied once per batch.
 */
const plainNumbers = new WeakMap<IngestNumber, IngestNumber>();

function plain(item: InboundItem): InboundItem {
  let number = plainNumbers.get(item.number);
  if (!number) {
    const { id, org_id, multi_case_reply, acknowledgement, their_number_question } = item.number.row;
    number = { row: { id, org_id, multi_case_reply, acknowledgement, their_number_question }, survey: item.number.survey };
    plainNumbers.set(item.number, number);
  }
  return { number, message: item.message, contact: item.contact };
}
