import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/max/metadata';
import { DomainError } from './errors.js';

export type { CountryCode };

/** Prefixes providers put before an address; the number itself follows. */
const CHANNEL_PREFIX = /^(whatsapp|sms|tel|mms):/i;

/**
 * Normalises a phone number to E.164 (DESIGN.md §2 rule 2). Providers send numbers with or
 * without `+`, with spaces, or behind `whatsapp:`; a national number is read in the country
 * of our own number. Throws `invalid_phone_number` when no reading gives a possible number.
 */
export function normalisePhone(raw: string, ourNumber?: string): string {
  const key = `${ourNumber ?? ''}|${raw}`;
  const known = remembered.get(key);
  if (known) return known;
  const result = readPhone(raw, ourNumber);
  // libphonenumber drops a "0" written after the country code ("+44 (0)7700…"); a result
  // that would lose another digit when read again is not a number anybody can have.
  if (result !== raw && parsePhoneNumberFromString(result)?.number !== result) throw invalid(raw);
  if (remembered.size >= REMEMBERED_MAX) remembered.clear();
  remembered.set(key, result);
  return result;
}

/**
 * Parsing costs tens of microseconds and the same people write again and again, so
 * results are remembered (a pure function of its input; bounded memory).
 */
const remembered = new Map<string, string>();
const REMEMBERED_MAX = 50_000;

function readPhone(raw: string, ourNumber?: string): string {
  const cleaned = raw
    .trim()
    .replace(CHANNEL_PREFIX, '')
    .replace(/[\s().-]/g, '');
  if (!/^\+?[0-9]{3,20}$/.test(cleaned) && !/^00[0-9]{3,20}$/.test(cleaned)) {
    throw invalid(raw);
  }
  const international = cleaned.startsWith('+') ? cleaned : cleaned.startsWith('00') ? `+${cleaned.slice(2)}` : null;
  if (international) return possibleOrThrow(international, raw);

  // Without a `+`, providers (Vonage, Meta, Africa's Talking) mostly send the international
  // form; a leading 0 is a national trunk prefix and is read in our number's country.
  if (!cleaned.startsWith('0')) {
    const asInternational = parsePhoneNumberFromString(`+${cleaned}`);
    if (asInternational?.isPossible()) return asInternational.number;
  }
  const callingCode = callingCodeOf(ourNumber);
  if (callingCode) {
    const national = parsePhoneNumberFromString(cleaned, { defaultCallingCode: callingCode });
    if (national?.isPossible()) return national.number;
  }
  throw invalid(raw);
}

/** True when `raw` normalises; for validating input without exceptions. */
export function isPhoneNumber(raw: string, ourNumber?: string): boolean {
  try {
    normalisePhone(raw, ourNumber);
    return true;
  } catch {
    return false;
  }
}

function possibleOrThrow(international: string, raw: string): string {
  const parsed = parsePhoneNumberFromString(international);
  if (!parsed?.isPossible()) throw invalid(raw);
  return parsed.number;
}

/** The country calling code of our number, e.g. `44`; a national number is read in it. */
function callingCodeOf(ourNumber: string | undefined): string | undefined {
  if (!ourNumber) return undefined;
  const cleaned = ourNumber.replace(CHANNEL_PREFIX, '').replace(/[\s().-]/g, '');
  return parsePhoneNumberFromString(cleaned.startsWith('+') ? cleaned : `+${cleaned}`)?.countryCallingCode;
}

function invalid(raw: string): DomainError {
  return new DomainError('invalid_phone_number', `Not a phone number: ${JSON.stringify(raw.slice(0, 40))}`);
}

/**
 * The country one of our numbers belongs to (`+44 7700 900000` → `GB`): the region a
 * national number typed by a worker is read in. A number outside every allocated range
 * (Ofcom's drama numbers, `+1 555…`) names no country; the main country of its calling code
 * reads national numbers the same way.
 */
export function regionOf(ourNumber: string): CountryCode | undefined {
  const cleaned = ourNumber.replace(CHANNEL_PREFIX, '').replace(/[\s().-]/g, '');
  const parsed = parsePhoneNumberFromString(cleaned.startsWith('+') ? cleaned : `+${cleaned}`);
  if (!parsed) return undefined;
  return parsed.country ?? metadata.country_calling_codes[parsed.countryCallingCode]?.[0];
}

/** How a typed contact filter finds records: whole numbers exactly, anything else as a part. */
export type ContactSearch = { kind: 'exact'; contacts: string[] } | { kind: 'part'; text: string };

/**
 * Reads what a worker typed in a contact search. An international number (`+`, `00`) or a
 * national one that is valid in one of `regions` (`020 7946 0958` in GB) is a whole number,
 * found exactly. Otherwise digits may be part of a number: a national form (`07700 900123`,
 * a test range no country allocates) loses its trunk prefix and separators, so it is found
 * inside the stored E.164 form.
 */
export function contactSearch(typed: string, regions: readonly CountryCode[]): ContactSearch | null {
  const text = typed.trim();
  if (!text) return null;
  const cleaned = text.replace(CHANNEL_PREFIX, '').replace(/[\s().-]/g, '');
  if (!/^(\+|00)?[0-9]+$/.test(cleaned)) return { kind: 'part', text };
  if (/^(\+|00)/.test(cleaned)) {
    return isPhoneNumber(cleaned)
      ? { kind: 'exact', contacts: [normalisePhone(cleaned)] }
      : { kind: 'part', text: cleaned.replace(/^(\+|00)/, '') };
  }
  const readings = regions.map((region) => parsePhoneNumberFromString(cleaned, region)).filter((p) => p !== undefined);
  const valid = [...new Set(readings.filter((p) => p.isValid()).map((p) => p.number))];
  if (valid.length > 0) return { kind: 'exact', contacts: valid };
  const national = readings.find((p) => p.isPossible());
  return { kind: 'part', text: national ? national.nationalNumber : cleaned };
}
