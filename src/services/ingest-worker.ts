import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type ChangeEvent } from '../db/database.js';
import { useIdClock } from './ids.js';
import { storeInTransaction } from './ingest.js';
import type { IngestReply, IngestRequest, IngestThreadData } from './ingest-thread.js';

/**
 * The ingest thread (see ./ingest-thread.ts): one SQLite connection that stores the batches
 * it is sent, one at a time, and answers each after its commit with the changes it made.
 * The main connection runs the checkpoints, so this one never does.
 */
const port = parentPort!;
const { path, idClock } = workerData as IngestThreadData;
useIdClock(idClock);

const committed: ChangeEvent[] = [];
const opening = openDatabase({ dialect: 'sqlite', path }, { checkpoints: false }).then((db) => {
  db.changes.on('change', (event) => committed.push(event));
  return { db, store: storeInTransaction(db) };
});
// One batch at a time (the main thread sends the next only after this one's answer), so
// what is published between a batch's start and its answer is that batch's.
let queue: Promise<void> = Promise.resolve();

port.on('message', (request: IngestRequest) => {
  queue = queue.then(() => handle(request));
});

async function handle(request: IngestRequest): Promise<void> {
  const { db, store } = await opening;
  if ('close' in request) {
    await db.close();
    port.close();
    return;
  }
  let reply: IngestReply;
  try {
    const results = await store(request.items, request.now);
    reply = { id: request.id, results, events: committed.splice(0) };
  } catch (error) {
    committed.length = 0;
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
}
