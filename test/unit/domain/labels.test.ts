import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import { byLabelName, labelColor, labelName, labelNameKey, planLabelChange } from '../../../src/domain/labels.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'other';
  }
  return 'none';
};

describe('label names and colours', () => {
  it('a name is trimmed and its inner white space made single', () => {
    expect(labelName('  Urgent \t  follow-up\n')).toBe('Urgent follow-up');
  });

  it('an empty or over-long name is refused', () => {
    expect(code(() => labelName('   '))).toBe('validation_failed');
    expect(code(() => labelName('x'.repeat(61)))).toBe('validation_failed');
    expect(labelName('x'.repeat(60))).toHaveLength(60);
  });

  it('names differing only in case, composition or spacing are the same label', () => {
    expect(labelNameKey('URGENT')).toBe(labelNameKey(' urgent '));
    expect(labelNameKey('Ärger')).toBe(labelNameKey('a\u0308rger'));
    expect(labelNameKey('Call  back')).toBe(labelNameKey('call back'));
    expect(labelNameKey('Urgent')).not.toBe(labelNameKey('Urgent 2'));
  });

  it('a colour is #rrggbb, stored in lower case', () => {
    expect(labelColor('#1F77B4')).toBe('#1f77b4');
    for (const bad of ['red', '#fff', '1f77b4', '#1f77b4ff', '#gggggg']) expect(code(() => labelColor(bad))).toBe('validation_failed');
  });

  it('labels sort by name whatever the case or accents', () => {
    const sorted = [
      { id: '3', name: 'Urgent' },
      { id: '1', name: 'benefits' },
      { id: '2', name: 'Ärger' },
    ].sort(byLabelName);
    expect(sorted.map((l) => l.name)).toEqual(['Ärger', 'benefits', 'Urgent']);
  });
});

describe('replacing the labels of a case', () => {
  const urgent = { id: 'u', name: 'Urgent' };
  const benefits = { id: 'b', name: 'benefits' };
  const housing = { id: 'h', name: 'Housing' };

  it('adds what is new and removes what is no longer asked for, by name', () => {
    expect(planLabelChange([urgent, housing], ['u', 'b'], [urgent, benefits])).toEqual({ add: [benefits], remove: [housing] });
  });

  it('the same set, in any order or with repeats, changes nothing', () => {
    expect(planLabelChange([urgent, benefits], ['b', 'u', 'b'], [urgent, benefits])).toEqual({ add: [], remove: [] });
  });

  it('an empty list removes every label', () => {
    expect(planLabelChange([urgent, benefits], [], [])).toEqual({ add: [], remove: [benefits, urgent] });
  });

  it('an id that was not found refuses the whole change, naming it', () => {
    let error: unknown;
    try {
      planLabelChange([], ['u', 'elsewhere'], [urgent]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).details).toEqual({ labelIds: ['elsewhere'] });
  });
});
