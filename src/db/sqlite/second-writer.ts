import { Worker } from 'node:worker_threads';
import type { ChangeEvent } from '../database.js';
import { idleThread } from './idle-thread.js';
import { fromCodedError, SecondWriterStopped, type CodedError, type SecondWriter } from '../second-writer.js';

/**
 * SQLite's second writer: a worker thread with its own connection that runs an entry
 * module's writes (see ../second-writer.ts).
 *
 * On SQLite every statement runs inside a synchronous call, so on one thread the HTTP work
 * of the next webhooks (parsing, signature, answering) waits while a batch is stored. Here
 * the thread stores while this one goes on serving HTTP, so the two halves use two cores.
 * A write is one message each way — the input out; the answer and the committed changes
 * back — never one per statement: a round trip per statement through a busy event loop
 * was slower. Writes take their turn with this handle's own transactions (`writeElsewhere`
 * of ./group-commit.ts), so neither connection waits for the other's write lock, and an
 * answer comes back only after its write committed and reached the disk.
 */

/** What the thread (./second-writer-thread.ts) is started with. */
export interface SecondWriterThreadData {
  path: string;
  /** The entry module's URL. */
  entry: string;
  /** The entry's own data (structured-cloned; a SharedArrayBuffer stays shared). */
  data: unknown;
}

export type SecondWriterRequest = { id: number; input: unknown } | { close: true };
export type SecondWriterReply = { id: number; output: unknown; events: ChangeEvent[] } | { id: number; error: CodedError };

type WriteElsewhere = <T>(write: () => Promise<{ value: T; events: ChangeEvent[] }>, committed?: () => void) => Promise<T>;

export function startSecondWriter<In, Out>(
  writeElsewhere: WriteElsewhere,
  thread: SecondWriterThreadData,
  options: { quietMs?: number } = {},
): SecondWriter<In, Out> {
  const pending = new Map<number, { resolve(reply: { value: Out; events: ChangeEvent[] }): void; reject(error: Error): void }>();
  let closing: Promise<void> | null = null;
  let nextId = 1;
  let writesCommitted = 0;

  // What stopped it, given to every write after: the reason a failure is reported with.
  let stoppedBy: SecondWriterStopped | null = null;
  const refusal = () => stoppedBy ?? new SecondWriterStopped('The second writer has stopped');
  const stop = (error: SecondWriterStopped) => {
    stoppedBy = error;
    for (const request of pending.values()) request.reject(error);
    pending.clear();
  };

  // Started on the first write, so a server that never receives a message never pays for
  // it, and stopped when writes pause (./idle-thread.ts).
  const threads = idleThread({
    quietMs: options.quietMs ?? DEFAULT_QUIET_MS,
    start() {
      const next = startThread(thread);
      next.on('message', (reply: SecondWriterReply) => {
        const request = pending.get(reply.id);
        if (!request) return;
        pending.delete(reply.id);
        if (pending.size === 0) threads.quiet();
        if ('error' in reply) request.reject(fromCodedError(reply.error));
        else {
          writesCommitted += 1;
          request.resolve({ value: reply.output as Out, events: reply.events });
        }
      });
      return next;
    },
    stop: (running) => running.postMessage({ close: true } satisfies SecondWriterRequest),
    failed: (error) => stop(new SecondWriterStopped(`The second writer failed: ${error.message}`, { cause: error })),
  });

  const send = (input: In) =>
    new Promise<{ value: Out; events: ChangeEvent[] }>((resolve, reject) => {
      if (stoppedBy || closing) {
        reject(refusal());
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      threads.get().postMessage({ id, input } satisfies SecondWriterRequest);
    });

  return {
    get writesCommitted() {
      return writesCommitted;
    },
    write: (input, committed) => (stoppedBy || closing ? Promise.reject(refusal()) : writeElsewhere(() => send(input), committed)),
    close() {
      closing ??= threads.close();
      return closing;
    },
    async crash() {
      await threads.get().terminate();
    },
  };
}

/** Long enough that steady traffic keeps one thread; short enough that a quiet night frees it. */
const DEFAULT_QUIET_MS = 10_000;

/**
 * The thread holds one write's input and output at a time, so a small heap does: V8 would
 * otherwise size its young generation for a busy server's main thread, and keep the memory.
 * A write that outgrew the old generation would end the thread, and the writes would then
 * be stored on the main thread (`SecondWriterStopped`), so that limit is generous.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 };

/**
 * The thread runs ./second-writer-thread.js beside this module in a build. From sources
 * (tests, `npm run dev`) it runs the `.ts` file through tsx, a development tool: the thread
 * registers tsx's hooks itself first, because on Node 20 `--import tsx` registers them on
 * the main thread only.
 */
function startThread(workerData: SecondWriterThreadData): Worker {
  // A build inherits this process's options: a Node option given to a worker explicitly
  // must be one a worker accepts, and V8's heap options (`npm start`'s young-generation
  // size) are not, though they apply to every thread anyway.
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./second-writer-thread.js', import.meta.url), { workerData, resourceLimits: THREAD_LIMITS });
  }
  const execArgv = withoutLoaders(process.execArgv);
  const source = new URL('./second-writer-thread.ts', import.meta.url).href;
  const registerThenRun = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(registerThenRun, { eval: true, execArgv, workerData, resourceLimits: THREAD_LIMITS });
}

/** This process's Node options (a profiler's, say) without module loaders. */
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
