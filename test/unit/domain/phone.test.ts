/* eslint-disable @typescript-eslint/no-misused-spread -- the strings spread here are ASCII digits, one code unit each */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import { contactSearch, isPhoneNumber, normalisePhone, regionOf } from '../../../src/domain/phone.js';

const OUR_UK_NUMBER = '+447700900000';
const E164 = /^\+[1-9][0-9]{1,14}$/;

/** The nine digits after the 7 of a UK mobile number. */
const ukMobileRest = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 9, maxLength: 9 });

function expectInvalidPhoneNumber(run: () => unknown): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DomainError);
  expect((thrown as DomainError).code).toBe('invalid_phone_number');
}

describe('phone number normalisation (DESIGN.md §2 rule 2)', () => {
  describe('one contact, however the provider writes the number', () => {
    it('an international number with spaces becomes E.164', () => {
      expect(normalisePhone('+44 7700 900123')).toBe('+447700900123');
    });

    it('an international number without `+` becomes E.164', () => {
      expect(normalisePhone('447700900123')).toBe('+447700900123');
    });

    it('a WhatsApp address becomes the number behind it', () => {
      expect(normalisePhone('whatsapp:+447700900123')).toBe('+447700900123');
    });

    it('other channel prefixes are dropped, in any case', () => {
      expect(normalisePhone('sms:+447700900123')).toBe('+447700900123');
      expect(normalisePhone('tel:+447700900123')).toBe('+447700900123');
      expect(normalisePhone('WhatsApp:+447700900123')).toBe('+447700900123');
    });

    it('the international `00` prefix is read as `+`', () => {
      expect(normalisePhone('0044 7700 900123')).toBe('+447700900123');
    });

    it('brackets, dots and dashes are ignored', () => {
      expect(normalisePhone('+44 (7700) 900-123')).toBe('+447700900123');
      expect(normalisePhone('+44.7700.900.123')).toBe('+447700900123');
    });

    it('surrounding whitespace is ignored', () => {
      expect(normalisePhone('  +447700900123\n')).toBe('+447700900123');
    });

    it('a national number is read in the country of our number', () => {
      expect(normalisePhone('07700 900123', OUR_UK_NUMBER)).toBe('+447700900123');
      expect(normalisePhone('0612345678', '+33612000000')).toBe('+33612345678');
    });

    it('our number may itself be written with a channel prefix or without `+`', () => {
      expect(normalisePhone('07700900123', 'whatsapp:+447700900000')).toBe('+447700900123');
      expect(normalisePhone('07700900123', '447700900000')).toBe('+447700900123');
    });

    it('a national number cannot be read without our number', () => {
      expectInvalidPhoneNumber(() => normalisePhone('07700900123'));
    });

    it('numbers of other countries keep their own country code', () => {
      expect(normalisePhone('+1 202 555 0123', OUR_UK_NUMBER)).toBe('+12025550123');
      expect(normalisePhone('254712345678', OUR_UK_NUMBER)).toBe('+254712345678');
    });
  });

  describe('what is not a phone number', () => {
    it.each([
      ['an empty string', ''],
      ['only whitespace', '   '],
      ['letters', 'hello'],
      ['a number with letters in it', '+44 7700 9OO123'],
      ['a lone plus sign', '+'],
      ['a channel prefix without a number', 'whatsapp:'],
      ['too few digits', '12'],
      ['a country code alone', '+44'],
      ['a number far too long', '+44770090012345678901'],
      ['two plus signs', '++447700900123'],
      ['a plus sign in the middle', '44+7700900123'],
    ])('%s is refused as invalid_phone_number', (_what, raw) => {
      expectInvalidPhoneNumber(() => normalisePhone(raw, OUR_UK_NUMBER));
    });

    it('the error quotes the text that was refused', () => {
      expect(() => normalisePhone('hello')).toThrow(/"hello"/);
    });
  });

  describe('isPhoneNumber', () => {
    it('is true for a number that normalises', () => {
      expect(isPhoneNumber('+44 7700 900123')).toBe(true);
      expect(isPhoneNumber('07700 900123', OUR_UK_NUMBER)).toBe(true);
    });

    it('is false, without throwing, for anything else', () => {
      expect(isPhoneNumber('hello')).toBe(false);
      expect(isPhoneNumber('')).toBe(false);
      expect(isPhoneNumber('07700 900123')).toBe(false);
    });
  });

  describe('properties', () => {
    it('every way of writing a UK mobile number gives the same E.164 number', () => {
      fc.assert(
        fc.property(ukMobileRest, (rest) => {
          const e164 = `+447${rest}`;
          const forms = [`+44 7${rest.slice(0, 3)} ${rest.slice(3)}`, `447${rest}`, `whatsapp:+447${rest}`, `00447${rest}`, `07${rest}`];
          for (const form of forms) expect(normalisePhone(form, OUR_UK_NUMBER)).toBe(e164);
        }),
      );
    });

    it('normalising an E.164 result returns it unchanged', () => {
      const digit = fc.constantFrom(...'0123456789');
      const digits = (n: number) => fc.string({ unit: digit, minLength: n, maxLength: n });
      // Mobile numbers in the formats of several countries, in E.164.
      const mobile = fc.oneof(
        digits(9).map((d) => `+447${d}`),
        fc.tuple(fc.constantFrom(...'23456789'), digits(2), fc.constantFrom(...'23456789'), digits(6)).map((p) => `+1${p.join('')}`),
        digits(8).map((d) => `+2547${d}`),
        fc.tuple(fc.constantFrom('6', '7'), digits(8)).map((p) => `+33${p.join('')}`),
        fc.tuple(fc.constantFrom('6', '7', '8', '9'), digits(9)).map((p) => `+91${p.join('')}`),
        digits(7).map((d) => `+49151${d}`),
      );
      const written = fc.constantFrom(
        (e: string) => e,
        (e: string) => e.slice(1),
        (e: string) => `whatsapp:${e}`,
        (e: string) => `00${e.slice(1)}`,
      );
      fc.assert(
        fc.property(mobile, written, fc.constantFrom(undefined, OUR_UK_NUMBER), (e164, write, ours) => {
          const once = normalisePhone(write(e164), ours);
          expect(once).toBe(e164);
          expect(normalisePhone(once)).toBe(once);
          expect(normalisePhone(once, ours)).toBe(once);
        }),
      );
    });

    it('a trunk prefix written after the country code is dropped', () => {
      expect(normalisePhone('+44 (0)7700 900123')).toBe('+447700900123');
      expect(normalisePhone(normalisePhone('+44 (0)7700 900123'))).toBe('+447700900123');
    });

    it('the result is always E.164, or the error is invalid_phone_number', () => {
      const phoneLike = fc.string({ unit: fc.constantFrom(...'0123456789+ -().'), maxLength: 24 });
      fc.assert(
        fc.property(fc.oneof(fc.string(), phoneLike), fc.constantFrom(undefined, OUR_UK_NUMBER), (raw, ours) => {
          try {
            expect(normalisePhone(raw, ours)).toMatch(E164);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            expect((error as DomainError).code).toBe('invalid_phone_number');
          }
        }),
        { numRuns: 1000 },
      );
    });

    it('text with letters in it is refused as invalid_phone_number', () => {
      const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZéж');
      fc.assert(
        fc.property(fc.string({ maxLength: 10 }), letter, fc.string({ maxLength: 10 }), (before, l, after) => {
          // A leading channel prefix is the one place letters are allowed.
          fc.pre(!/^\s*(whatsapp|sms|tel|mms):/i.test(before + l + after));
          expectInvalidPhoneNumber(() => normalisePhone(`${before}${l}${after}`, OUR_UK_NUMBER));
        }),
      );
    });

    it('fewer than three digits are refused as invalid_phone_number', () => {
      const short = fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 2 });
      fc.assert(
        fc.property(fc.constantFrom('', '+', '00', 'whatsapp:+'), short, (lead, d) => {
          expectInvalidPhoneNumber(() => normalisePhone(lead + d, OUR_UK_NUMBER));
        }),
      );
    });

    it('isPhoneNumber agrees with normalisePhone and never throws', () => {
      fc.assert(
        fc.property(fc.string(), (raw) => {
          let normalises = true;
          try {
            normalisePhone(raw);
          } catch {
            normalises = false;
          }
          expect(isPhoneNumber(raw)).toBe(normalises);
        }),
      );
    });
  });
});

describe('reading a contact search in the country of our numbers', () => {
  it('our number names the region national numbers are read in, also outside allocated ranges', () => {
    expect(regionOf('+44 20 7946 0958')).toBe('GB');
    expect(regionOf('+447700900000')).toBe('GB');
    expect(regionOf('+15555550100')).toBe('US');
    expect(regionOf('whatsapp:+254700000000')).toBe('KE');
  });

  it('an international number is found exactly', () => {
    expect(contactSearch('+44 7700 900123', [])).toEqual({ kind: 'exact', contacts: ['+447700900123'] });
    expect(contactSearch('0044 7700 900123', ['GB'])).toEqual({ kind: 'exact', contacts: ['+447700900123'] });
  });

  it('a valid national number is found exactly in the region of our numbers', () => {
    expect(contactSearch('020 7946 0958', ['GB'])).toEqual({ kind: 'exact', contacts: ['+442079460958'] });
  });

  it('a national number of a test range loses its trunk prefix and is found as a part of the stored number', () => {
    expect(contactSearch('07700 900123', ['GB'])).toEqual({ kind: 'part', text: '7700900123' });
  });

  it('digits that are only part of a number, or text, are searched as they are', () => {
    expect(contactSearch('900 123', ['GB'])).toEqual({ kind: 'part', text: '900123' });
    expect(contactSearch('+4477', [])).toEqual({ kind: 'part', text: '4477' });
    expect(contactSearch('abc', ['GB'])).toEqual({ kind: 'part', text: 'abc' });
    expect(contactSearch('   ', ['GB'])).toBeNull();
  });
});
