import { randomBytes } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/**
 * A time-ordered UUID (version 7): 48 bits of milliseconds, a 12-bit sequence, then random
 * bits. Rows created together sit together in every index keyed by id, which keeps inserts
 * cheap on both databases; within one process ids also sort in creation order, even
 * within a millisecond, so "oldest first" is exact.
 */
export function newId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // 4,096 ids in one millisecond: borrow the next millisecond.
    lastMs += 1;
    sequence = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
