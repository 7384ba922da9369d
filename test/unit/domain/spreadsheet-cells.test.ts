import { describe, expect, it } from 'vitest';
import {
  CUT_MARK,
  MAX_CELL_CHARS,
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

describe('file names', () => {
  it("slugs the survey's name and adds the day", () => {
    expect(exportFileName('Housing Line — Nairobi', '2026-11-30', 'csv')).toBe('housing-line-nairobi-2026-11-30.csv');
    expect(exportFileName('Écoute jeunes', '2026-11-30', 'xlsx')).toBe('ecoute-jeunes-2026-11-30.xlsx');
    expect(exportFileName('«»', '2026-11-30', 'csv')).toBe('survey-2026-11-30.csv');
  });
});
