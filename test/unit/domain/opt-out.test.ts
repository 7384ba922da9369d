import { describe, expect, it } from 'vitest';
import { consentChange } from '../../../src/domain/opt-out.js';

describe('opt-out and opt-in keywords (DESIGN.md §2 rule 11)', () => {
  it.each(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'])('%s opts the contact out', (word) => {
    expect(consentChange(word)).toBe('opt-out');
  });

  it.each(['START', 'YES', 'UNSTOP'])('%s opts the contact back in', (word) => {
    expect(consentChange(word)).toBe('opt-in');
  });

  it('a keyword counts in any case', () => {
    expect(consentChange('stop')).toBe('opt-out');
    expect(consentChange('Stop')).toBe('opt-out');
    expect(consentChange('unStop')).toBe('opt-in');
    expect(consentChange('yes')).toBe('opt-in');
  });

  it('whitespace around the keyword is ignored', () => {
    expect(consentChange('  STOP\n')).toBe('opt-out');
    expect(consentChange('\tstart ')).toBe('opt-in');
  });

  it('a keyword inside a longer text changes nothing', () => {
    expect(consentChange('please stop calling me')).toBeNull();
    expect(consentChange('STOP STOP')).toBeNull();
    expect(consentChange('yes please')).toBeNull();
  });

  it('a keyword with punctuation changes nothing', () => {
    expect(consentChange('STOP!')).toBeNull();
    expect(consentChange('yes.')).toBeNull();
  });

  it('ordinary text and empty text change nothing', () => {
    expect(consentChange('Hello, the pump is broken')).toBeNull();
    expect(consentChange('')).toBeNull();
    expect(consentChange('   ')).toBeNull();
  });

  it('words that merely resemble a keyword change nothing', () => {
    expect(consentChange('STOPS')).toBeNull();
    expect(consentChange('ENDING')).toBeNull();
    expect(consentChange('NO')).toBeNull();
  });
});
