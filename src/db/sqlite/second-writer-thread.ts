import { parentPort, workerData } from 'node:worker_threads';
import type { ChangeEvent } from '../database.js';
import { toCodedError, type OpenWriter } from '../second-writer.js';
import { openSqlite } from './open-sqlite.js';
import type { SecondWriterReply, SecondWriterRequest, SecondWriterThreadData } from './second-writer.js';

/**
 * The second writer's thread (see ./second-writer.ts): one SQLite connection that runs the
 * entry module's writes it is sent, one at a time, and answers each after its commit with
 * the changes it made. The main connection runs the checkpoints and syncs this one's
 * commits to disk (./wal-sync.ts), so this one does neither.
 */
const port = parentPort!;
const { path, entry, data } = workerData as SecondWriterThreadData;

const committed: ChangeEvent[] = [];
const opening = (async () => {
  const db = openSqlite(path, { secondConnection: true });
  db.changes.on('change', (event) => committed.push(event));
  const { openWriter } = (await import(entry)) as { openWriter: OpenWriter<unknown, unknown> };
  return { db, write: openWriter(db, data) };
})();
// One write at a time (the main thread sends the next only after this one's answer), so
// what is published between a write's start and its answer is that write's.
let queue: Promise<void> = Promise.resolve();

port.on('message', (request: SecondWriterRequest) => {
  queue = queue.then(() => handle(request));
});

async function handle(request: SecondWriterRequest): Promise<void> {
  const { db, write } = await opening;
  if ('close' in request) {
    await db.close();
    port.close();
    return;
  }
  let reply: SecondWriterReply;
  try {
    const output = await write(request.input);
    reply = { id: request.id, output, events: committed.splice(0) };
  } catch (error) {
    committed.length = 0;
    reply = { id: request.id, error: toCodedError(error) };
  }
  port.postMessage(reply);
}
