import type { OpenWriter } from '../../db/second-writer.js';
import { useIdClock } from '../ids.js';
import { installDeliveryRecorder } from '../outbound-webhooks/delivery-recorder.js';
import { useSubscriptionsGeneration } from '../outbound-webhooks/subscription-cache.js';
import { storeInTransaction, type InboundItem, type ReceiveResult } from './store-batch.js';

/**
 * The entry the database's second writer runs (src/db/sqlite/second-writer-thread.ts): the
 * same `storeBatch` as on the main connection, on the thread's own connection.
 */
export interface StoreBatchInput {
  items: InboundItem[];
  now: number;
}

export interface StoreBatchThreadData {
  /** The process's id clock, so ids made on both threads sort in the order they were made. */
  idClock: SharedArrayBuffer;
  /** The process's count of subscription changes, so this thread's cache of them empties too. */
  webhookSubscriptions: SharedArrayBuffer;
}

export const openWriter: OpenWriter<StoreBatchInput, ReceiveResult[]> = (db, data) => {
  const { idClock, webhookSubscriptions } = data as StoreBatchThreadData;
  useIdClock(idClock);
  useSubscriptionsGeneration(webhookSubscriptions);
  // Inbound messages reach webhook subscribers from this connection too; one batch at a time, at its own time.
  let batchNow = Date.now();
  installDeliveryRecorder(db, () => batchNow);
  const store = storeInTransaction(db);
  return ({ items, now }) => {
    batchNow = now;
    return store(items, now);
  };
};
