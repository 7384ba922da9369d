import { describe, expect, it } from 'vitest';
import { parseRangeHeader, resolveByteRange } from '../../../src/domain/byte-ranges.js';

const range = (header: string, size: number) => {
  const request = parseRangeHeader(header);
  return request === null ? 'whole' : resolveByteRange(request, size);
};

describe('byte ranges (RFC 9110 §14)', () => {
  it('reads a first and last byte, an open end and a suffix', () => {
    expect(range('bytes=0-0', 100)).toEqual({ start: 0, end: 0 });
    expect(range('bytes=10-19', 100)).toEqual({ start: 10, end: 19 });
    expect(range('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(range('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(range('BYTES = 5 - 6', 100)).toEqual({ start: 5, end: 6 });
  });

  it('clamps an end past the item, and a suffix longer than the item is all of it', () => {
    expect(range('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 });
    expect(range('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
  });

  it('names no byte (416) when the start is past the end, for an empty suffix, or of an empty item', () => {
    expect(range('bytes=100-', 100)).toBeNull();
    expect(range('bytes=-0', 100)).toBeNull();
    expect(range('bytes=0-', 0)).toBeNull();
  });

  it('ignores a header it need not honour: several ranges, another unit, an end before the start, no numbers', () => {
    for (const header of ['bytes=0-1,4-5', 'items=0-1', 'bytes=9-3', 'bytes=-', 'bytes=a-b', '']) {
      expect(range(header, 100), header).toBe('whole');
    }
  });
});
