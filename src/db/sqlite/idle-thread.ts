import type { Worker } from 'node:worker_threads';

/**
 * A worker thread that exists only while there is work for it: started by the first request,
 * stopped after a quiet spell, started again by the next request.
 *
 * Each thread is a V8 isolate with its own heap and, here, its own SQLite connection and page
 * cache: together the larger part of what an idle server would otherwise keep resident
 * (docs/benchmarks.md). Starting one again costs a few tens of milliseconds, once per burst
 * of traffic after a quiet spell.
 */
export interface IdleThread {
  /** The running thread, started now if there is none. Cancels a pending stop; the thread keeps the process alive until `quiet()`. */
  get(): Worker;
  /** Nothing is pending on the thread: it stops unless `get()` is called within the quiet spell. */
  quiet(): void;
  /** Stops the running thread (and waits for one stopping); `get()` may start another. */
  close(): Promise<void>;
}

export interface IdleThreadOptions {
  /** Starts a thread and attaches its message handler. */
  start(): Worker;
  /** Asks a thread to end; it must exit soon after (a message the thread obeys, or `terminate()`). */
  stop(thread: Worker): void;
  /** A thread ended or failed without being asked to. */
  failed(error: Error): void;
  /** How long a thread with nothing pending is kept. */
  quietMs: number;
}

export function idleThread(options: IdleThreadOptions): IdleThread {
  let current: Worker | null = null;
  let timer: NodeJS.Timeout | null = null;
  const stopping = new Set<Promise<void>>();

  const cancelTimer = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };

  const retire = (thread: Worker): Promise<void> => {
    if (current === thread) current = null;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    const done = exited.finally(() => stopping.delete(done));
    stopping.add(done);
    // Held until it has exited: a caller awaiting `close()` must not see the process end first.
    thread.ref();
    options.stop(thread);
    return done;
  };

  return {
    get() {
      cancelTimer();
      // Work in flight keeps the process alive, as any pending I/O does; an idle thread does not.
      if (current) {
        current.ref();
        return current;
      }
      const thread = options.start();
      // Only the running thread's end is a failure; a retired one was asked to end.
      thread.on('error', (error) => {
        if (current === thread) options.failed(error);
      });
      thread.on('exit', (code) => {
        if (current !== thread) return;
        current = null;
        options.failed(new Error(`the thread stopped (exit code ${code})`));
      });
      current = thread;
      return thread;
    },
    quiet() {
      cancelTimer();
      const thread = current;
      if (!thread) return;
      thread.unref();
      timer = setTimeout(() => {
        timer = null;
        if (current === thread) void retire(thread);
      }, options.quietMs);
      timer.unref();
    },
    async close() {
      cancelTimer();
      if (current) void retire(current);
      await Promise.all([...stopping]);
    },
  };
}
