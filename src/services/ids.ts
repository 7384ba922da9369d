import { randomBytes } from 'node:crypto';

/**
 * A time-ordered UUID (version 7): 48 bits of milliseconds, then random bits. Rows created
 * together sit together in every index keyed by id, which keeps inserts cheap on both
 * databases, and ids still reveal nothing guessable beyond their creation time.
 */
export function newId(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
