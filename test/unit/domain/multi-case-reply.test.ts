import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderMultiCaseReply, shorten } from '../../../src/domain/multi-case-reply.js';
import { parseReferences } from '../../../src/domain/references.js';

describe('the multi-case reply (DESIGN.md §2 rule 5)', () => {
  const template = 'You have {count} open cases:\n{cases}\nPlease add the case number, e.g. #12, to your answer.';

  it('fills in the number of open cases and lists each as `#<number>: <first message>`', () => {
    const reply = renderMultiCaseReply(template, [
      { caseNumber: 12, firstMessage: 'The pump is broken' },
      { caseNumber: 15, firstMessage: 'No water since Monday' },
    ]);
    expect(reply).toBe(
      'You have 2 open cases:\n#12: The pump is broken\n#15: No water since Monday\n' +
        'Please add the case number, e.g. #12, to your answer.',
    );
  });

  it('lists the cases in the order given', () => {
    const reply = renderMultiCaseReply('{cases}', [
      { caseNumber: 9, firstMessage: 'b' },
      { caseNumber: 3, firstMessage: 'a' },
      { caseNumber: 7, firstMessage: 'c' },
    ]);
    expect(reply).toBe('#9: b\n#3: a\n#7: c');
  });

  it('shortens a long first message in the list', () => {
    const long = 'The borehole pump near the school has been broken for three weeks now';
    const reply = renderMultiCaseReply('{cases}', [{ caseNumber: 4, firstMessage: long }]);
    expect(reply).toBe('#4: The borehole pump near the school has b…');
  });

  it('puts a first message that spans several lines on one line', () => {
    const reply = renderMultiCaseReply('{cases}', [{ caseNumber: 4, firstMessage: 'Hello\n\nthe pump\tis broken' }]);
    expect(reply).toBe('#4: Hello the pump is broken');
  });

  it('fills every occurrence of a placeholder', () => {
    const reply = renderMultiCaseReply('{count} cases. {cases} ({count})', [
      { caseNumber: 1, firstMessage: 'a' },
      { caseNumber: 2, firstMessage: 'b' },
    ]);
    expect(reply).toBe('2 cases. #1: a\n#2: b (2)');
  });

  it('leaves a text without placeholders as it is', () => {
    expect(renderMultiCaseReply('Please quote your case number.', [{ caseNumber: 1, firstMessage: 'a' }])).toBe(
      'Please quote your case number.',
    );
  });

  it('does not fill placeholders that appear inside a first message', () => {
    const reply = renderMultiCaseReply('{count}: {cases}', [
      { caseNumber: 1, firstMessage: 'what is {count}?' },
      { caseNumber: 2, firstMessage: 'b' },
    ]);
    expect(reply).toBe('2: #1: what is {count}?\n#2: b');
  });

  it('every listed case can be read back as a reference', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 2, maxLength: 6 }),
        fc.string({ maxLength: 60 }),
        (numbers, text) => {
          const reply = renderMultiCaseReply(
            '{cases}',
            numbers.map((caseNumber) => ({ caseNumber, firstMessage: text })),
          );
          for (const n of numbers) expect(parseReferences(reply)).toContain(n);
        },
      ),
    );
  });
});

describe('shortening a message for a preview', () => {
  it('keeps a short text as it is', () => {
    expect(shorten('The pump is broken')).toBe('The pump is broken');
  });

  it('keeps a text of exactly 40 characters as it is', () => {
    const text = 'a'.repeat(40);
    expect(shorten(text)).toBe(text);
  });

  it('cuts a longer text to 40 characters ending in an ellipsis', () => {
    expect(shorten('a'.repeat(41))).toBe(`${'a'.repeat(39)}…`);
  });

  it('does not leave a space before the ellipsis', () => {
    expect(shorten(`${'a'.repeat(38)} bbbb`)).toBe(`${'a'.repeat(38)}…`);
  });

  it('collapses runs of whitespace and trims the ends', () => {
    expect(shorten('  Hello\n\n  there\t ')).toBe('Hello there');
  });

  it('takes another length when given one', () => {
    expect(shorten('Hello there', 5)).toBe('Hell…');
  });

  it('an empty text stays empty', () => {
    expect(shorten('')).toBe('');
    expect(shorten(' \n ')).toBe('');
  });

  describe('properties', () => {
    const text = fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '\t'), maxLength: 100 }));

    it('the preview is never longer than the length asked for', () => {
      fc.assert(
        fc.property(text, fc.integer({ min: 1, max: 60 }), (t, length) => {
          expect(shorten(t, length).length).toBeLessThanOrEqual(length);
        }),
      );
    });

    it('the preview is one line without runs of whitespace or whitespace at its ends', () => {
      fc.assert(
        fc.property(text, (t) => {
          const preview = shorten(t);
          expect(preview).not.toMatch(/\s\s|\n|\t|^\s|\s$/);
        }),
      );
    });

    it('a preview that was cut ends in an ellipsis and starts like the text', () => {
      fc.assert(
        fc.property(text, fc.integer({ min: 1, max: 60 }), (t, length) => {
          const oneLine = t.replace(/\s+/g, ' ').trim();
          const preview = shorten(t, length);
          if (oneLine.length <= length) {
            expect(preview).toBe(oneLine);
          } else {
            expect(preview.endsWith('…')).toBe(true);
            expect(oneLine.startsWith(preview.slice(0, -1))).toBe(true);
          }
        }),
      );
    });

    it('shortening a preview again changes nothing', () => {
      fc.assert(
        fc.property(text, (t) => {
          expect(shorten(shorten(t))).toBe(shorten(t));
        }),
      );
    });
  });
});
