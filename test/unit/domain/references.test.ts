import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asksForNewCase, MAX_REFERENCES, parseReferences, referenceSuffix, withReference } from '../../../src/domain/references.js';

/** Case numbers as they appear in practice: positive, at most 15 digits. */
const caseNumber = fc.integer({ min: 1, max: 999_999_999_999_999 });

/** Characters that are not word characters: punctuation, spaces, symbols, emoji. */
const nonWordChar = fc.constantFrom(
  ' ',
  '\n',
  '\t',
  '(',
  ')',
  '[',
  ']',
  '.',
  ',',
  '!',
  '?',
  ':',
  ';',
  '-',
  '/',
  '"',
  "'",
  '#',
  '*',
  '。',
  '«',
  '»',
  '😀',
  '\u00a0',
);

/** Word characters of several scripts: letters, `_`, and digits that are not ASCII. */
const wordCharBefore = fc.constantFrom('a', 'Z', 'é', 'ß', 'ж', 'ع', '字', '_', '0', '7', '٣', '²');
/** After the digits an ASCII digit would only make a longer number, so it is left out. */
const wordCharAfter = fc.constantFrom('a', 'Z', 'é', 'ß', 'ж', 'ع', '字', '_', '٣', '²');

/** Free text, but without `#` so it cannot carry references of its own. */
const textWithoutHash = fc.string({ maxLength: 30 }).map((s) => s.replaceAll('#', ''));

/** Text rich in the characters that matter to the parser. */
const referenceLikeText = fc.string({
  unit: fc.constantFrom('#', '#', '0', '1', '2', '9', 'a', '_', ' ', '(', '.', 'é', '٣'),
  maxLength: 40,
});

describe('case references in inbound text (DESIGN.md §2 rule 4)', () => {
  describe('what counts as a reference', () => {
    it('a bare reference counts', () => {
      expect(parseReferences('#12')).toEqual([12]);
    });

    it('a reference in brackets counts', () => {
      expect(parseReferences('(#12)')).toEqual([12]);
    });

    it('a reference followed by a full stop counts', () => {
      expect(parseReferences('#12.')).toEqual([12]);
    });

    it('a reference inside a sentence counts', () => {
      expect(parseReferences('About #12, the pump is fixed')).toEqual([12]);
    });

    it('the reference a reply carries at its end counts', () => {
      expect(parseReferences('Thanks, we are on it #345')).toEqual([345]);
    });

    it('a reference on a line of its own counts', () => {
      expect(parseReferences('yes\n#12\nthanks')).toEqual([12]);
    });

    it('a reference followed directly by another `#` still counts', () => {
      expect(parseReferences('#12#')).toEqual([12]);
    });

    it('a reference after a doubled `#` counts', () => {
      expect(parseReferences('##12')).toEqual([12]);
    });

    it('a reference with leading zeros names the same case', () => {
      expect(parseReferences('#0012')).toEqual([12]);
    });
  });

  describe('what does not count', () => {
    it('digits followed by letters are not a reference', () => {
      expect(parseReferences('#12abc')).toEqual([]);
    });

    it('a `#` after a letter is not a reference', () => {
      expect(parseReferences('a#12')).toEqual([]);
    });

    it('a `#` alone is not a reference', () => {
      expect(parseReferences('#')).toEqual([]);
    });

    it('a `#` followed by a space is not a reference', () => {
      expect(parseReferences('# 12')).toEqual([]);
    });

    it('a `#` after a letter of another script is not a reference', () => {
      expect(parseReferences('é#12')).toEqual([]);
      expect(parseReferences('ж#12')).toEqual([]);
    });

    it('a `#` after a digit or underscore is not a reference', () => {
      expect(parseReferences('5#12')).toEqual([]);
      expect(parseReferences('_#12')).toEqual([]);
    });

    it('digits followed by an underscore are not a reference', () => {
      expect(parseReferences('#12_')).toEqual([]);
    });

    it('case number zero is not a reference', () => {
      expect(parseReferences('#0')).toEqual([]);
      expect(parseReferences('#000')).toEqual([]);
    });

    it('digits of another script are not a reference', () => {
      expect(parseReferences('#١٢')).toEqual([]);
    });

    it('a run of more than 15 digits is not a reference', () => {
      expect(parseReferences(`#${'9'.repeat(16)}`)).toEqual([]);
      expect(parseReferences(`#${'9'.repeat(15)}`)).toEqual([999_999_999_999_999]);
    });

    it('text without any `#` has no references', () => {
      expect(parseReferences('I have 12 questions')).toEqual([]);
      expect(parseReferences('')).toEqual([]);
    });
  });

  describe('several references', () => {
    it('every reference in the text is found, in order of first appearance', () => {
      expect(parseReferences('#7 and #3, also (#12)')).toEqual([7, 3, 12]);
    });

    it('a case referenced twice is listed once', () => {
      expect(parseReferences('#12 #5 #12 #012')).toEqual([12, 5]);
    });

    it('a second `#` right after a reference does not start another one', () => {
      expect(parseReferences('#12#13')).toEqual([12]);
    });
  });

  describe('properties', () => {
    it('a reference surrounded by non-word characters is always found', () => {
      fc.assert(
        fc.property(
          caseNumber,
          fc.option(
            fc.tuple(fc.string({ maxLength: 20 }), nonWordChar).map(([s, c]) => s + c),
            { nil: '' },
          ),
          fc.option(
            fc.tuple(nonWordChar, fc.string({ maxLength: 20 })).map(([c, s]) => c + s),
            { nil: '' },
          ),
          (n, prefix, suffix) => {
            expect(parseReferences(`${prefix}#${n}${suffix}`)).toContain(n);
          },
        ),
      );
    });

    it('a reference preceded by a word character is never found', () => {
      fc.assert(
        fc.property(caseNumber, textWithoutHash, wordCharBefore, nonWordChar, (n, prefix, w, after) => {
          expect(parseReferences(`${prefix}${w}#${n}${after}`)).toEqual([]);
        }),
      );
    });

    it('a reference followed by a word character is never found', () => {
      fc.assert(
        fc.property(caseNumber, nonWordChar, wordCharAfter, textWithoutHash, (n, before, w, suffix) => {
          expect(parseReferences(`${before}#${n}${w}${suffix}`)).toEqual([]);
        }),
      );
    });

    it('the result never holds duplicates', () => {
      fc.assert(
        fc.property(fc.oneof(referenceLikeText, fc.string()), (text) => {
          const found = parseReferences(text);
          expect(new Set(found).size).toBe(found.length);
        }),
      );
    });

    it('the result holds only positive whole case numbers', () => {
      fc.assert(
        fc.property(fc.oneof(referenceLikeText, fc.string()), (text) => {
          for (const n of parseReferences(text)) {
            expect(Number.isSafeInteger(n)).toBe(true);
            expect(n).toBeGreaterThan(0);
          }
        }),
      );
    });

    it('every number found is written as a reference in the text', () => {
      fc.assert(
        fc.property(referenceLikeText, (text) => {
          for (const n of parseReferences(text)) {
            expect(text).toMatch(new RegExp(`#0*${n}(?![0-9])`));
          }
        }),
      );
    });

    it('a reply carrying a case reference is always read back as that case', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), caseNumber, (text, n) => {
          expect(parseReferences(withReference(text, n))).toContain(n);
        }),
      );
    });
  });
});

describe('#0: asking for a new case (rule 4)', () => {
  it('counts where a reference would: alone, in brackets, at the end of a sentence, with leading zeros', () => {
    for (const text of ['#0', 'new problem (#0)', 'Something else #0.', '#00 please']) expect(asksForNewCase(text), text).toBe(true);
  });

  it('does not count inside a word, after a letter, or as part of another number', () => {
    for (const text of ['#0abc', 'a#0', '#01', '#10', 'no hash 0']) expect(asksForNewCase(text), text).toBe(false);
  });
});

describe('a text full of references', () => {
  it('keeps the first hundred distinct references of a 240 KB text of 36,000, in order', () => {
    const text = Array.from({ length: 36_000 }, (_, i) => `#${i + 1}`).join(' ');
    const found = parseReferences(text);
    expect(found).toHaveLength(MAX_REFERENCES);
    expect(found).toEqual(Array.from({ length: MAX_REFERENCES }, (_, i) => i + 1));
  });

  it('counts a reference repeated thousands of times once', () => {
    expect(parseReferences('#7 '.repeat(50_000) + '#8')).toEqual([7, 8]);
  });
});

describe('the reference a reply carries (DESIGN.md §2 rule 8)', () => {
  it('is a space, `#` and the case number', () => {
    expect(referenceSuffix(123)).toBe(' #123');
  });

  it('is appended at the end of the text', () => {
    expect(withReference('We will call you tomorrow.', 42)).toBe('We will call you tomorrow. #42');
  });
});
