import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { idClock, newId } from '../../src/services/ids.js';

describe('ids', () => {
  it('are version 7 UUIDs', () => {
    expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sort in creation order, even many within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newId(1_800_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never share a millisecond and sequence across threads that share the clock (the ingest thread)', async () => {
    const now = 1_900_000_000_000;
    const worker = new Worker(new URL('../support/id-worker.mjs', import.meta.url), {
      execArgv: [],
      workerData: { clock: idClock(), count: 20_000, now },
    });
    try {
      const [ready] = await once(worker, 'message');
      expect(ready).toBe('ready');
      worker.postMessage('go');
      const theirs = once(worker, 'message');
      const ours = Array.from({ length: 20_000 }, () => newId(now));
      const [fromWorker] = (await theirs) as [string[]];
      // Each thread's own ids sort in the order it made them…
      expect([...ours].sort()).toEqual(ours);
      expect([...fromWorker].sort()).toEqual(fromWorker);
      // …and no two ids of either thread hold the same time and sequence (the first 18
      // characters): drawn from separate clocks, both would start at sequence 0 of `now`.
      const ticks = new Set([...ours, ...fromWorker].map((id) => id.slice(0, 18)));
      expect(ticks.size).toBe(40_000);
    } finally {
      await worker.terminate();
    }
  });
});
