import { Agent } from 'node:http';
import { percentile, postPooledWebhook, round } from './load.js';
import type { TwilioPool } from './twilio-pool.js';

/**
 * An evenly paced open loop (as `runPacedPoolLoad` in load.ts) that runs until told to stop
 * rather than for a fixed time: the load that goes on while a background job works, for as
 * long as it works. Latency runs from when each request was due, so a server that falls
 * behind shows it in the tail. The pool is never reused: when it runs out the load stops
 * and says so.
 */
export interface PacedRun {
  /** Requests answered (any status). */
  requests: number;
  perSecond2xx: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  statusCounts: Record<string, number>;
  errors: number;
  /** Sent but not answered within 30 s of the end. */
  unanswered: number;
  durationSec: number;
  offeredPerSecond: number;
  poolExhausted: boolean;
  /** p99 per stretch of `windowSec` seconds (by due time): how the tail moved while the job ran. */
  windows: Array<{ fromSec: number; requests: number; p99Ms: number }>;
  /** Pool indexes answered with a 2xx (for the database check). */
  acknowledged: Set<number>;
}

export interface PacedLoad {
  /** Stops issuing requests, waits for the answers, and sums up. */
  stop(): Promise<PacedRun>;
}

export function startPacedLoad(options: {
  url: string;
  pool: TwilioPool;
  /** The first pool index to use; the pool's bodies from here on are sent once each. */
  from: number;
  ratePerSecond: number;
  windowSec?: number;
  maxInFlight?: number;
}): PacedLoad {
  const { pool, ratePerSecond } = options;
  const windowSec = options.windowSec ?? 10;
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight ?? 128 });
  const acknowledged = new Set<number>();
  const statusCounts: Record<string, number> = {};
  const samples: Array<{ due: number; ms: number }> = [];
  let errors = 0;
  let issued = 0;
  let finished = 0;
  let poolExhausted = false;
  const started = performance.now();

  const fire = (i: number, due: number) => {
    postPooledWebhook(target, agent, pool, i, (status) => {
      if (status === null) errors++;
      else {
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        if (status >= 200 && status < 300) acknowledged.add(i);
        samples.push({ due, ms: performance.now() - due });
      }
      finished++;
    });
  };

  const tick = setInterval(() => {
    const dueCount = Math.floor(((performance.now() - started) / 1000) * ratePerSecond) + 1;
    while (issued < dueCount) {
      const i = options.from + issued;
      if (i >= pool.size) {
        poolExhausted = true;
        clearInterval(tick);
        return;
      }
      fire(i, started + (issued * 1000) / ratePerSecond);
      issued++;
    }
  }, 1);

  return {
    async stop(): Promise<PacedRun> {
      clearInterval(tick);
      const sendingEnded = performance.now();
      const deadline = sendingEnded + 30_000;
      while (finished < issued && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      agent.destroy();
      const durationSec = (sendingEnded - started) / 1000;
      const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
      const ok = Object.entries(statusCounts).reduce((sum, [s, c]) => (Number(s) >= 200 && Number(s) < 300 ? sum + c : sum), 0);
      const windows: PacedRun['windows'] = [];
      for (let from = 0; from < durationSec; from += windowSec) {
        const inWindow = samples
          .filter((s) => s.due - started >= from * 1000 && s.due - started < (from + windowSec) * 1000)
          .map((s) => s.ms)
          .sort((a, b) => a - b);
        if (inWindow.length > 0) windows.push({ fromSec: from, requests: inWindow.length, p99Ms: percentile(inWindow, 0.99) });
      }
      return {
        requests: samples.length,
        perSecond2xx: round(ok / durationSec),
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        maxMs: round(sorted[sorted.length - 1] ?? NaN, 2),
        statusCounts,
        errors,
        unanswered: issued - finished,
        durationSec: round(durationSec),
        offeredPerSecond: ratePerSecond,
        poolExhausted,
        windows,
        acknowledged,
      };
    },
  };
}
