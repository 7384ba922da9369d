import { Agent, request as httpRequest } from 'node:http';
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import { TWILIO_HEADERS, type TwilioPool } from './twilio-pool.js';

/**
 * Load generators. Closed loop: autocannon with N connections, each sending its next
 * request as soon as the previous one is answered (throughput, and latency at that
 * throughput). Rate limited: autocannon's `overallRate`. Open loop: an evenly paced
 * sender that starts a request every 1/rate seconds whether or not earlier ones have
 * been answered, with latency counted from the moment each request was due.
 */
export interface LoadFigures {
  requests: number;
  /** Responses per second over the run (2xx only for `perSecond2xx`). */
  perSecond: number;
  perSecond2xx: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  durationSec: number;
  connections: number;
}

export interface PoolLoadResult extends LoadFigures {
  /** Pool indexes answered with a 2xx. */
  acknowledged: Set<number>;
  /** Pool indexes sent (answered or not). */
  sent: Set<number>;
  /** Whether the run needed more bodies than the pool had (it then reused bodies: duplicates). */
  poolExhausted: boolean;
}

/** Where the next body of a pool is taken from; runs on one server share one cursor. */
export interface PoolCursor {
  next: number;
  /** Reuse bodies from the start when the pool runs out (the ceiling stores nothing). */
  wrap: boolean;
}

/**
 * Latency is timed here, from the moment autocannon builds a request (just before it
 * writes it) to the end of its response, in fractions of a millisecond; autocannon's own
 * histogram keeps whole milliseconds, too coarse for a 1 ms route.
 */
function figures(result: AutocannonResult, extra: { statusCounts: Record<string, number>; latencies: number[] }): LoadFigures {
  const ok = result['2xx'];
  const total = Object.values(extra.statusCounts).reduce((a, b) => a + b, 0);
  const sorted = extra.latencies.sort((a, b) => a - b);
  return {
    requests: total,
    perSecond: round(total / result.duration),
    perSecond2xx: round(ok / result.duration),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: round(sorted[sorted.length - 1] ?? NaN, 2),
    statusCounts: extra.statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSec: round(result.duration),
    connections: result.connections,
  };
}

function run(options: Parameters<typeof autocannon>[0]): Promise<AutocannonResult> {
  // autocannon rejects keys that are present but undefined.
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as typeof options;
  return new Promise((resolve, reject) => {
    autocannon(defined, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** POSTs the pool's signed webhooks, each once (unless the cursor wraps). */
export async function runPoolLoad(options: {
  url: string;
  pool: TwilioPool;
  cursor: PoolCursor;
  connections: number;
  /** Run for this long, or until `amount` requests were answered. */
  durationSec?: number;
  amount?: number;
  overallRate?: number;
}): Promise<PoolLoadResult> {
  const { pool, cursor } = options;
  const acknowledged = new Set<number>();
  const sent = new Set<number>();
  const statusCounts: Record<string, number> = {};
  const latencies: number[] = [];
  let poolExhausted = false;
  const request: AutocannonRequest = {
    method: 'POST',
    path: pool.path,
    setupRequest(req, context) {
      let i = cursor.next++;
      if (i >= pool.size) {
        poolExhausted = true;
        if (!cursor.wrap) {
          // Out of distinct bodies: resend the last one (a duplicate the server must absorb).
          i = pool.size - 1;
        } else {
          i %= pool.size;
        }
      }
      context.i = i;
      context.t = performance.now();
      sent.add(i);
      req.body = pool.bodies[i]!;
      req.headers = { ...TWILIO_HEADERS, 'x-twilio-signature': pool.signatures[i]! };
      return req;
    },
    onResponse(status, _body, context) {
      latencies.push(performance.now() - (context.t as number));
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      if (status >= 200 && status < 300) acknowledged.add(context.i as number);
    },
  };
  const result = await run({
    url: options.url,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSec ?? 10 }),
    ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
    // autocannon's correction for a rate assumes a 1 ms interval per connection and adds
    // synthetic samples; the open-loop sender below measures queueing honestly instead.
    ignoreCoordinatedOmission: options.overallRate ? true : undefined,
    timeout: 10,
    requests: [request],
  });
  return { ...figures(result, { statusCounts, latencies }), acknowledged, sent, poolExhausted };
}

/** GETs rotating over `paths` (so a cache of one answer cannot flatter the figure). */
export async function runGetLoad(options: {
  url: string;
  paths: string[];
  headers: Record<string, string>;
  connections: number;
  durationSec: number;
}): Promise<LoadFigures> {
  let next = 0;
  const statusCounts: Record<string, number> = {};
  const latencies: number[] = [];
  const result = await run({
    url: options.url,
    connections: options.connections,
    duration: options.durationSec,
    timeout: 30,
    requests: [
      {
        method: 'GET',
        setupRequest(req, context) {
          req.path = options.paths[next++ % options.paths.length]!;
          req.headers = options.headers;
          context.t = performance.now();
          return req;
        },
        onResponse(status, _body, context) {
          latencies.push(performance.now() - (context.t as number));
          statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        },
      },
    ],
  });
  return figures(result, { statusCounts, latencies });
}

/**
 * Open loop at a fixed rate: request k is due at start + k/rate and is sent then (up to
 * `maxInFlight` at once); its latency runs from when it was due, so a server that falls
 * behind shows it in the tail instead of slowing the sender down.
 */
export async function runPacedPoolLoad(options: {
  url: string;
  pool: TwilioPool;
  cursor: PoolCursor;
  ratePerSecond: number;
  durationSec: number;
  maxInFlight?: number;
}): Promise<PoolLoadResult> {
  const { pool, cursor } = options;
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight ?? 128 });
  const acknowledged = new Set<number>();
  const sent = new Set<number>();
  const statusCounts: Record<string, number> = {};
  const latencies: number[] = [];
  let errors = 0;
  let poolExhausted = false;
  const total = Math.round(options.ratePerSecond * options.durationSec);
  const started = performance.now();
  let issued = 0;
  let finished = 0;

  const fire = (due: number) => {
    let i = cursor.next++;
    if (i >= pool.size) {
      poolExhausted = true;
      i = cursor.wrap ? i % pool.size : pool.size - 1;
    }
    sent.add(i);
    postPooledWebhook(target, agent, pool, i, (status) => {
      if (status === null) errors++;
      else {
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        if (status >= 200 && status < 300) acknowledged.add(i);
        latencies.push(performance.now() - due);
      }
      finished++;
    });
  };

  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      const dueCount = Math.min(total, Math.floor(((now - started) / 1000) * options.ratePerSecond) + 1);
      while (issued < dueCount) {
        fire(started + (issued * 1000) / options.ratePerSecond);
        issued++;
      }
      if (issued >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  const deadline = performance.now() + 30_000;
  while (finished < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const duration = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const ok = Object.entries(statusCounts).reduce((n, [s, c]) => (Number(s) >= 200 && Number(s) < 300 ? n + c : n), 0);
  return {
    requests: latencies.length,
    perSecond: round(latencies.length / duration),
    perSecond2xx: round(ok / duration),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: round(latencies[latencies.length - 1] ?? NaN, 2),
    statusCounts,
    errors,
    timeouts: total - finished,
    durationSec: round(duration),
    connections: options.maxInFlight ?? 128,
    acknowledged,
    sent,
    poolExhausted,
  };
}

/** The q-quantile of ascending `sorted`, in ms with two decimals. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!, 2);
}

export const round = (n: number, digits = 1) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** Posts the pool's `i`th signed webhook; `done` hears its status once the answer is read, or null on a network error. */
export function postPooledWebhook(target: URL, agent: Agent, pool: TwilioPool, i: number, done: (status: number | null) => void): void {
  const body = pool.bodies[i]!;
  const req = httpRequest(
    {
      host: target.hostname,
      port: target.port,
      method: 'POST',
      path: pool.path,
      agent,
      headers: { ...TWILIO_HEADERS, 'x-twilio-signature': pool.signatures[i]!, 'content-length': body.length },
    },
    (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    },
  );
  req.on('error', () => done(null));
  req.end(body);
}
