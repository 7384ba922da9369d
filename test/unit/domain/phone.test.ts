/* eslint-disable @typescript-eslint/no-misused-spread -- the strings spread here are ASCII digits, one code unit each */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import {
  contactSearch,
  contactSpellings,
  isPhoneNumber,
  normaliseContact,
  normalisePhone,
  regionOf,
  whatsappContact,
} from '../../../src/domain/phone.js';

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

describe('one person, several spellings on WhatsApp (DESIGN.md §11)', () => {
  describe('Brazil: the ninth digit (Anatel, Resolution 553)', () => {
    it('a mobile without the ninth digit gains it', () => {
      expect(whatsappContact('+551187654321')).toBe('+5511987654321');
      expect(whatsappContact('+556196543210')).toBe('+5561996543210');
      expect(whatsappContact('+559287654321')).toBe('+5592987654321');
    });

    it('a mobile with the ninth digit stays as it is', () => {
      expect(whatsappContact('+5511987654321')).toBe('+5511987654321');
      expect(whatsappContact('+5511923456789')).toBe('+5511923456789');
    });

    it('landlines, eight digits from 2 to 5, stay as they are', () => {
      for (const landline of ['+551123456789', '+552134567890', '+556145678901', '+558152345678']) {
        expect(whatsappContact(landline)).toBe(landline);
      }
    });

    it('short, long and odd numbers stay as they are', () => {
      for (const odd of ['+55118765432', '+5511876543210', '+550187654321', '+551087654321', '+558008765432']) {
        expect(whatsappContact(odd)).toBe(odd);
      }
    });

    it('a worker typing the number nationally reaches the same spelling as the wa_id', () => {
      const ours = '+5511912340000';
      expect(normaliseContact('(011) 98765-4321', 'whatsapp', ours)).toBe('+5511987654321');
      expect(normaliseContact('0 11 8765-4321', 'whatsapp', ours)).toBe('+5511987654321');
      expect(normaliseContact('551187654321', 'whatsapp', ours)).toBe('+5511987654321');
      expect(normaliseContact('whatsapp:+55 11 8765-4321', 'whatsapp', ours)).toBe('+5511987654321');
    });
  });

  describe('Argentina: the 9 after +54', () => {
    it('a mobile written with the 9 loses it, as WhatsApp ids come', () => {
      expect(whatsappContact('+5491155551234')).toBe('+541155551234');
      expect(whatsappContact('+5493514123456')).toBe('+543514123456');
      expect(whatsappContact('+5492234567890')).toBe('+542234567890');
    });

    it('the wa_id without the 9, and a landline, stay as they are', () => {
      expect(whatsappContact('+541155551234')).toBe('+541155551234');
      expect(whatsappContact('+541143211234')).toBe('+541143211234');
    });

    it('the national mobile forms with 15 reach the same spelling as the wa_id', () => {
      const ours = '+541140000000';
      expect(normaliseContact('+54 9 11 5555-1234', 'whatsapp', ours)).toBe('+541155551234');
      expect(normaliseContact('+54 11 15 5555-1234', 'whatsapp', ours)).toBe('+541155551234');
      expect(normaliseContact('011 15 5555-1234', 'whatsapp', ours)).toBe('+541155551234');
      expect(normaliseContact('5491155551234', 'whatsapp', ours)).toBe('+541155551234');
      expect(normaliseContact('541155551234', 'whatsapp', ours)).toBe('+541155551234');
    });

    it('non-geographic, short and long numbers stay as they are', () => {
      for (const odd of ['+548001234567', '+54911555512', '+54911555512345', '+5498001234567']) {
        expect(whatsappContact(odd)).toBe(odd);
      }
    });
  });

  it('numbers of other countries stay as they are', () => {
    for (const other of ['+447700900123', '+12025550123', '+5215512345678', '+351912345678', '+254712345678']) {
      expect(whatsappContact(other)).toBe(other);
    }
  });

  it('on SMS a number is what it is', () => {
    expect(normaliseContact('+55 11 8765-4321', 'sms')).toBe('+551187654321');
    expect(normaliseContact('+54 9 11 5555-1234', 'sms')).toBe('+5491155551234');
    expect(normaliseContact('+54 11 4321-1234', 'sms')).toBe('+541143211234');
  });

  it('the one spelling is stable: applying it again changes nothing', () => {
    const digit = fc.constantFrom(...'0123456789');
    const digits = (n: number) => fc.string({ unit: digit, minLength: n, maxLength: n });
    const number = fc.oneof(
      digits(10).map((d) => `+55${d}`),
      digits(11).map((d) => `+55${d}`),
      digits(10).map((d) => `+54${d}`),
      digits(11).map((d) => `+549${d.slice(1)}`),
    );
    fc.assert(
      fc.property(number, (e164) => {
        const once = whatsappContact(e164);
        expect(whatsappContact(once)).toBe(once);
      }),
    );
  });

  describe('every spelling a person may be stored under', () => {
    it('a Brazilian mobile: with and without the ninth digit, from either', () => {
      expect(contactSpellings('+5511987654321').sort()).toEqual(['+551187654321', '+5511987654321']);
      expect(contactSpellings('+551187654321').sort()).toEqual(['+551187654321', '+5511987654321']);
    });

    it('an Argentine number: with and without the 9, from either', () => {
      expect(contactSpellings('+5491155551234').sort()).toEqual(['+541155551234', '+5491155551234']);
      expect(contactSpellings('+541155551234').sort()).toEqual(['+541155551234', '+5491155551234']);
    });

    it('a Brazilian landline, a mobile that never lacked the 9, and other countries have one', () => {
      expect(contactSpellings('+551123456789')).toEqual(['+551123456789']);
      expect(contactSpellings('+5511923456789')).toEqual(['+5511923456789']);
      expect(contactSpellings('+447700900123')).toEqual(['+447700900123']);
    });

    it('a contact search for either spelling finds both', () => {
      expect(contactSearch('+55 11 98765-4321', [])).toEqual({ kind: 'exact', contacts: ['+5511987654321', '+551187654321'] });
      expect(contactSearch('(11) 98765-4321', ['BR'])).toEqual({ kind: 'exact', contacts: ['+5511987654321', '+551187654321'] });
    });
  });
});
