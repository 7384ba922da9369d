import { describe, expect, it } from 'vitest';
import { countSmsSegments, firstNonGsm7, isGsm7 } from '../../../src/web/src/sms-segments.js';

describe('SMS segment counting', () => {
  it('an empty text takes no segment', () => {
    expect(countSmsSegments('')).toMatchObject({ encoding: 'GSM-7', characters: 0, segments: 0, remaining: 160 });
  });

  it('plain text is GSM-7 and fits 160 characters in one segment', () => {
    expect(countSmsSegments('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1, remaining: 0 });
  });

  it('one character more splits into segments of 153', () => {
    expect(countSmsSegments('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153, remaining: 145 });
    expect(countSmsSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSmsSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('accented letters of the GSM alphabet stay GSM-7', () => {
    expect(isGsm7('Où est la gare? ¿Qué? Ñoño Å ß £ ¥ @ §')).toBe(true);
    expect(countSmsSegments('é').encoding).toBe('GSM-7');
  });

  it('characters of the extension table cost two septets', () => {
    const count = countSmsSegments('€[]{}');
    expect(count).toMatchObject({ encoding: 'GSM-7', characters: 5, units: 10, segments: 1 });
    expect(countSmsSegments('€'.repeat(80)).segments).toBe(1);
    expect(countSmsSegments('€'.repeat(81)).segments).toBe(2);
  });

  it('an escape sequence is never split across two segments', () => {
    // 152 plain septets leave one free septet: the euro sign moves whole to segment two.
    const count = countSmsSegments(`${'a'.repeat(152)}€${'b'.repeat(10)}`);
    expect(count.units).toBe(164);
    expect(count).toMatchObject({ segments: 2, remaining: 153 - 12 });
  });

  it('a character outside the GSM alphabet makes the whole text UCS-2 with 70 per segment', () => {
    expect(countSmsSegments(`${'a'.repeat(69)}ł`)).toMatchObject({ encoding: 'UCS-2', segments: 1, remaining: 0 });
    expect(countSmsSegments(`${'a'.repeat(70)}ł`)).toMatchObject({ encoding: 'UCS-2', segments: 2, perSegment: 67 });
    expect(countSmsSegments('a'.repeat(134) + 'ł').segments).toBe(3);
  });

  it('an emoji is one character but two UCS-2 units, and is never split', () => {
    expect(countSmsSegments('👋')).toMatchObject({ encoding: 'UCS-2', characters: 1, units: 2, segments: 1 });
    expect(countSmsSegments('👋'.repeat(35)).segments).toBe(1);
    const count = countSmsSegments(`${'a'.repeat(66)}👋${'b'.repeat(5)}`);
    expect(count).toMatchObject({ units: 73, segments: 2, remaining: 67 - 7 });
  });

  it('ú, the lower-case ç, backtick and curly quotes are not GSM-7', () => {
    expect(isGsm7('ú')).toBe(false);
    expect(isGsm7('ç')).toBe(false);
    expect(isGsm7('`')).toBe(false);
    expect(isGsm7('“quoted”')).toBe(false);
  });

  it('names the first character that forces UCS-2', () => {
    expect(firstNonGsm7('Hello € world')).toBeNull();
    expect(firstNonGsm7('Dzień dobry 👋')).toBe('ń');
    expect(firstNonGsm7('Hi 👋')).toBe('👋');
  });
});
