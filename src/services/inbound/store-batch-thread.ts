import type { OpenWriter } from '../../db/second-writer.js';
import { useIdClock } from '../ids.js';
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
}

export const openWriter: OpenWriter<StoreBatchInput, ReceiveResult[]> = (db, data) => {
  useIdClock((data as StoreBatchThreadData).idClock);
  const store = storeInTransaction(db);
  return ({ items, now }) => store(items, now);
};
