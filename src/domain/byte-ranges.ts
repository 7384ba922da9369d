/**
 * Byte ranges of a media item (DESIGN.md §6: audio and video players seek with them), read
 * from a `Range` header as RFC 9110 §14 defines it. Only one range is served: a request for
 * several, or in another unit, is answered with the whole item, which the RFC allows.
 */

/** What a `Range` header asks for, before the item's size is known. */
export type ByteRangeRequest =
  | { kind: 'from'; start: number; end: number | null }
  /** The last `length` bytes (`bytes=-500`). */
  | { kind: 'suffix'; length: number };

/** An inclusive range of bytes within an item. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The one range `header` asks for, or null when there is none the server need honour. */
export function parseRangeHeader(header: string | undefined): ByteRangeRequest | null {
  if (!header) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') return { kind: 'suffix', length: Number(last) };
  const start = Number(first);
  const end = last === '' ? null : Number(last);
  // An end before the start makes the header invalid, and an invalid header is ignored.
  if (end !== null && end < start) return null;
  return { kind: 'from', start, end };
}

/**
 * The bytes of an item of `size` that `request` names, clamped to the item; null when none
 * of them exist (answered 416). A suffix longer than the item is the whole item.
 */
export function resolveByteRange(request: ByteRangeRequest, size: number): ByteRange | null {
  if (request.kind === 'suffix') {
    if (request.length === 0 || size === 0) return null;
    return { start: Math.max(0, size - request.length), end: size - 1 };
  }
  if (request.start >= size) return null;
  return { start: request.start, end: Math.min(request.end ?? size - 1, size - 1) };
}
