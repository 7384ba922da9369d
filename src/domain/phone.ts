import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { DomainError } from './errors.js';

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
  const cleaned = raw.trim().replace(CHANNEL_PREFIX, '').replace(/[\s().-]/g, '');
  if (!/^\+?[0-9]{3,20}$/.test(cleaned) && !/^00[0-9]{3,20}$/.test(cleaned)) {
    throw invalid(raw);
  }
  const international = cleaned.startsWith('+')
    ? cleaned
    : cleaned.startsWith('00')
      ? `+${cleaned.slice(2)}`
      : null;
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
