import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/max/metadata';
import { DomainError } from './errors.js';
import type { Channel } from './providers.js';

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

/**
 * A contact as Caseline stores and compares it on `channel`: E.164 (rule 2), and on WhatsApp
 * the one spelling of a person whose number WhatsApp writes two ways (`whatsappContact`).
 */
export function normaliseContact(raw: string, channel: Channel, ourNumber?: string): string {
  const e164 = normalisePhone(raw, ourNumber);
  return channel === 'whatsapp' ? whatsappContact(e164) : e164;
}

/** Brazil's mobile numbers from before the ninth digit: a two-digit area code, then eight digits from 6 up. */
const BRAZIL_WITHOUT_NINTH = /^\+55([1-9]{2})([6-9][0-9]{7})$/;
/** Brazil's mobiles with the ninth digit that had a spelling without it (`9` then 6–9). */
const BRAZIL_WITH_NINTH = /^\+55([1-9]{2})9([6-9][0-9]{7})$/;
/** Argentina's mobiles in international form: `9`, then a geographic area code (1–3) and number, ten digits. */
const ARGENTINA_WITH_NINE = /^\+549([1-3][0-9]{9})$/;
/** The same ten digits without the `9`: also how a landline is written. */
const ARGENTINA_WITHOUT_NINE = /^\+54([1-3][0-9]{9})$/;

/**
 * The one spelling of a WhatsApp contact (DESIGN.md §11): Meta's `wa_id` may lack a digit
 * the number has. Brazil: with the ninth digit, the only number the person can be dialled
 * on since 2016 and the one a worker types; landlines (8 digits from 2–5) are left alone.
 * Argentina: without the `9` after `+54`: a landline already is, and the digits cannot
 * tell a landline from a mobile written without its `9`. Sends use the spelling WhatsApp
 * last gave (`whatsapp_addresses`), whichever it is. Anything else (SMS is never passed
 * here) is returned as it is. Takes and returns E.164.
 */
export function whatsappContact(e164: string): string {
  const brazil = BRAZIL_WITHOUT_NINTH.exec(e164);
  if (brazil) return `+55${brazil[1]}9${brazil[2]}`;
  const argentina = ARGENTINA_WITH_NINE.exec(e164);
  if (argentina) return `+54${argentina[1]}`;
  return e164;
}

/**
 * Every spelling one person's number may be stored under, on any channel: the number
 * itself and, for a Brazilian or Argentine mobile, its form with or without the digit.
 * SMS keeps the number as written, WhatsApp keeps `whatsappContact`, so whom a person is
 * (an erasure, an access export, a search) is found under all of them.
 */
export function contactSpellings(e164: string): string[] {
  const spellings = new Set([e164, whatsappContact(e164)]);
  const brazil = BRAZIL_WITH_NINTH.exec(e164);
  if (brazil) spellings.add(`+55${brazil[1]}${brazil[2]}`);
  const argentina = ARGENTINA_WITHOUT_NINE.exec(e164);
  if (argentina) spellings.add(`+549${argentina[1]}`);
  return [...spellings];
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
      ? { kind: 'exact', contacts: contactSpellings(normalisePhone(cleaned)) }
      : { kind: 'part', text: cleaned.replace(/^(\+|00)/, '') };
  }
  const readings = regions.map((region) => parsePhoneNumberFromString(cleaned, region)).filter((p) => p !== undefined);
  const valid = [...new Set(readings.filter((p) => p.isValid()).flatMap((p) => contactSpellings(p.number)))];
  if (valid.length > 0) return { kind: 'exact', contacts: valid };
  const national = readings.find((p) => p.isPossible());
  return { kind: 'part', text: national ? national.nationalNumber : cleaned };
}
