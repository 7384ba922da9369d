import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** The character that stands for a hidden digit or letter (DESIGN.md §9, "Masking"). */
export const MASK = '•';

/**
 * A contact number as analysts and viewers see it when the organisation masks contacts
 * (DESIGN.md §9): `+447700900123` becomes `+44 77•• •••123`. The country code and the last
 * three digits stay; the first two digits of the national number stay only when at least
 * five others are hidden, as in DESIGN.md's example. The international grouping stays, so
 * the masked form reads like a number. Anything that is not a phone number (a WhatsApp id)
 * keeps its last three characters, in groups of four.
 */
export function maskContact(contact: string): string {
  const phone = contact.startsWith('+') ? parsePhoneNumberFromString(contact) : undefined;
  if (phone) {
    const code = `+${phone.countryCallingCode}`;
    const formatted = phone.formatInternational();
    const rest = formatted.startsWith(code) ? formatted.slice(code.length) : '';
    if (rest.replace(/\D/g, '') === phone.nationalNumber) {
      const digits = phone.nationalNumber.length;
      return code + hideBetween(rest, digits >= 10 ? 2 : 0, shownAtEnd(digits), /\d/);
    }
  }
  // Code points, not code units: an id is ASCII in practice, but a stray emoji stays whole.
  const id = contact.replace(/\s/g, '');
  const hidden = hideBetween(id, 0, shownAtEnd(Array.from(id).length), /./u);
  return (hidden.match(/.{1,4}/gu) ?? []).join(' ');
}

/** True when `value` is, or holds, a masked form: it came from a masked view, not from a person. */
export function isMasked(value: unknown): boolean {
  return typeof value === 'string' && value.includes(MASK);
}

/** At most three characters at the end stay, and never more than half. */
function shownAtEnd(length: number): number {
  return Math.min(3, Math.floor(length / 2));
}

/** Hides the characters matching `kind` except the first `keepStart` and the last `keepEnd` of them. */
function hideBetween(text: string, keepStart: number, keepEnd: number, kind: RegExp): string {
  const chars = Array.from(text);
  const total = chars.filter((c) => kind.test(c)).length;
  let seen = 0;
  return chars
    .map((c) => {
      if (!kind.test(c)) return c;
      const index = seen++;
      return index < keepStart || index >= total - keepEnd ? c : MASK;
    })
    .join('');
}
