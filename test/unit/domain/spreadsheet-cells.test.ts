import { describe, expect, it } from 'vitest';
import {
  CUT_MARK,
  MAX_CELL_CHARS,
  dayRange,
  exportFileName,
  exportTime,
  fitCell,
  neutralise,
  noteLine,
  parseInclude,
  transcriptLine,
} from '../../../src/domain/spreadsheet-cells.js';

describe('neutralising formulas (OWASP CSV injection)', () => {
  it.each(['=1+1', '+447700900123', '-2', '@SUM(A1)', '\tcmd', '\rcmd'])('prefixes %j with a quote', (text) => {
    expect(neutralise(text)).toBe(`'${text}`);
  });

  it.each(['', 'hello', ' =1+1', "'=1", '1-2', 'a@b.example'])('leaves %j as it is', (text) => {
    expect(neutralise(text)).toBe(text);
  });
});

describe('fitting a cell', () => {
  it('keeps a text of exactly the limit', () => {
    const text = 'x'.repeat(MAX_CELL_CHARS);
    expect(fitCell(text)).toBe(text);
  });

  it('cuts a longer text to the limit and marks the cut', () => {
    const cut = fitCell('y'.repeat(MAX_CELL_CHARS + 1));
    expect(cut).toHaveLength(MAX_CELL_CHARS);
    expect(cut.endsWith(CUT_MARK)).toBe(true);
    expect(cut.startsWith('yyy')).toBe(true);
  });
});

describe('transcript and note lines', () => {
  const at = Date.parse('2026-11-30T10:00:00.123Z');

  it('writes time to the second in UTC, the direction and the text', () => {
    expect(exportTime(at)).toBe('2026-11-30T10:00:00Z');
    expect(exportTime(null)).toBeNull();
    expect(transcriptLine({ at, direction: 'in', text: 'Hello', automatic: false, attachments: 0 })).toBe('2026-11-30T10:00:00Z in: Hello');
  });

  it('marks automatic messages and counts attachments', () => {
    expect(transcriptLine({ at, direction: 'out', text: 'We got it', automatic: true, attachments: 0 })).toBe(
      '2026-11-30T10:00:00Z out: [automatic] We got it',
    );
    expect(transcriptLine({ at, direction: 'in', text: '', automatic: false, attachments: 1 })).toBe(
      '2026-11-30T10:00:00Z in: [1 attachment]',
    );
    expect(transcriptLine({ at, direction: 'in', text: 'Look', automatic: false, attachments: 3 })).toBe(
      '2026-11-30T10:00:00Z in: [3 attachments] Look',
    );
  });

  it("names a note's author, or says the author is unknown", () => {
    expect(noteLine({ at, author: 'Ada', text: 'Rang back' })).toBe('2026-11-30T10:00:00Z Ada: Rang back');
    expect(noteLine({ at, author: null, text: 'Rang back' })).toBe('2026-11-30T10:00:00Z unknown: Rang back');
  });
});

describe('include', () => {
  it('is the answers alone by default', () => {
    expect([...parseInclude(undefined)]).toEqual(['answers']);
    expect([...parseInclude('')]).toEqual(['answers']);
  });

  it('takes a comma list of the known parts', () => {
    expect([...parseInclude('answers,transcript, notes')]).toEqual(['answers', 'transcript', 'notes']);
    expect([...parseInclude('notes')]).toEqual(['notes']);
  });

  it('refuses an unknown part', () => {
    expect(() => parseInclude('answers,secrets')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });
});

describe('day ranges in a time zone', () => {
  it('runs from the start of `from` to the end of `to`, in UTC by default', () => {
    expect(dayRange('2026-11-30', '2026-11-30', undefined)).toEqual({
      from: Date.parse('2026-11-30T00:00:00Z'),
      to: Date.parse('2026-12-01T00:00:00Z'),
    });
    expect(dayRange(undefined, undefined, undefined)).toEqual({ from: undefined, to: undefined });
  });

  it('follows the zone, across a change of clocks', () => {
    expect(dayRange('2026-11-30', undefined, 'Europe/Berlin').from).toBe(Date.parse('2026-11-29T23:00:00Z'));
    // 29 March 2026 has 23 hours in London.
    expect(dayRange('2026-03-29', '2026-03-29', 'Europe/London')).toEqual({
      from: Date.parse('2026-03-29T00:00:00Z'),
      to: Date.parse('2026-03-29T23:00:00Z'),
    });
  });

  it('refuses a bad zone, a day that does not exist, and from after to', () => {
    for (const call of [
      () => dayRange(undefined, undefined, 'Mars/Olympus'),
      () => dayRange('2026-02-30', undefined, undefined),
      () => dayRange('30-11-2026', undefined, undefined),
      () => dayRange('2026-12-02', '2026-12-01', undefined),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    }
  });
});

describe('file names', () => {
  it("slugs the survey's name and adds the day", () => {
    expect(exportFileName('Housing Line — Nairobi', '2026-11-30', 'csv')).toBe('housing-line-nairobi-2026-11-30.csv');
    expect(exportFileName('Écoute jeunes', '2026-11-30', 'xlsx')).toBe('ecoute-jeunes-2026-11-30.xlsx');
    expect(exportFileName('«»', '2026-11-30', 'csv')).toBe('survey-2026-11-30.csv');
  });
});
