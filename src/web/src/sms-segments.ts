/**
 * How many SMS segments a text takes. A text that fits the GSM 03.38 alphabet (its basic
 * table, plus the extension table whose characters cost two septets) goes as GSM-7:
 * 160 septets in one segment, 153 per segment when split. Anything else goes as UCS-2:
 * 70 UTF-16 code units in one segment, 67 per segment when split. A split never cuts an
 * escape sequence or a surrogate pair, so some segments carry one unit less.
 */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegmentCount {
  encoding: SmsEncoding;
  /** Characters as a person counts them (Unicode code points). */
  characters: number;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
  /** Units one segment holds in this text's encoding and length. */
  perSegment: number;
  /** Units still free in the last segment. */
  remaining: number;
}

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

const LIMITS = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
} as const;

/** True when every character of `text` can be sent in the GSM-7 alphabet. */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) return false;
  return true;
}

export function countSmsSegments(text: string): SmsSegmentCount {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  // Each character's cost in units; a character never straddles two segments.
  const costs: number[] = [];
  for (const ch of text) {
    costs.push(encoding === 'GSM-7' ? (extension.has(ch) ? 2 : 1) : ch.length);
  }
  const units = costs.reduce((sum, c) => sum + c, 0);
  const limits = LIMITS[encoding];
  const characters = costs.length;

  if (units === 0) {
    return { encoding, characters, units, segments: 0, perSegment: limits.single, remaining: limits.single };
  }
  if (units <= limits.single) {
    return { encoding, characters, units, segments: 1, perSegment: limits.single, remaining: limits.single - units };
  }
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > limits.multi) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, characters, units, segments, perSegment: limits.multi, remaining: limits.multi - used };
}

/** The first character that forces UCS-2, to tell the writer why segments got shorter. */
export function firstNonGsm7(text: string): string | null {
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) return ch;
  return null;
}
