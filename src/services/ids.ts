import { randomFillSync } from 'node:crypto';

/**
 * The last id's milliseconds × 4,096 plus its 12-bit sequence, in memory that every thread
 * of the process shares (the ingest thread adopts it, see ./inbound/store-batch-thread.ts), so ids sort
 * in creation order across threads as well.
 */
let clock = new BigInt64Array(new SharedArrayBuffer(8));

// Random bytes are drawn 4 KiB at a time: one call into the CSPRNG per 512 ids instead of
// one per id, which showed up in the ingest profile.
const RANDOM_POOL = Buffer.alloc(4096);
let poolOffset = RANDOM_POOL.length;

/** The id clock of this thread, to hand to another thread. */
export function idClock(): SharedArrayBuffer {
  return clock.buffer;
}

/** Makes this thread draw ids from another thread's clock. */
export function useIdClock(shared: SharedArrayBuffer): void {
  clock = new BigInt64Array(shared);
}

/** The next tick: `now`'s first, or one past the last tick if that is later. */
function nextTick(now: number): bigint {
  const first = BigInt(now) * 4096n;
  for (;;) {
    const last = Atomics.load(clock, 0);
    const next = last < first ? first : last + 1n;
    if (Atomics.compareExchange(clock, 0, last, next) === last) return next;
  }
}

/**
 * A time-ordered UUID (version 7): 48 bits of milliseconds, a 12-bit sequence, then random
 * bits. Rows created together sit together in every index keyed by id, which keeps inserts
 * cheap on both databases; within one process ids also sort in creation order, even
 * within a millisecond, so "oldest first" is exact. After 4,096 ids in one millisecond the
 * next ones borrow the following millisecond.
 */
export function newId(now = Date.now()): string {
  const tick = nextTick(now);
  const ms = Number(tick >> 12n);
  const sequence = Number(tick & 0xfffn);
  if (poolOffset + 8 > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    poolOffset = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  RANDOM_POOL.copy(bytes, 8, poolOffset, poolOffset + 8);
  poolOffset += 8;
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
