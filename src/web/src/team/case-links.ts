import { describeDetail } from '../format.js';

/** A piece of text, or a case number to show as a link to that case. */
export type TextPart = string | { caseNumber: number };

/**
 * A detail key that names another case by its number: `fromCase`, `toCase`, `into`,
 * `mergedInto`, `mergedFrom`… (history entries of moves and merges).
 */
const CASE_KEY = /(^case$|Case$|^into$|^from$|^merged)/;

/**
 * Splits `#12`-style case numbers out of a text, standing where DESIGN.md §2 rule 4 reads a
 * reference: at the start or after a non-word character, and not followed by a word character.
 */
export function splitCaseNumbers(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const pattern = /(^|[^\p{L}\p{N}_])#(\d{1,15})(?![\p{L}\p{N}_])/gu;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index + match[1]!.length;
    if (start > last) parts.push(text.slice(last, start));
    parts.push({ caseNumber: Number(match[2]) });
    last = start + 1 + match[2]!.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/**
 * A history entry's detail as text whose case numbers (`To case: #4`, `Into: #7`) are links,
 * and whose people (an assignment's `from` and `to` are user ids) are named by `names`.
 */
export function historyDetailParts(detail: unknown, names: ReadonlyMap<string, string> = new Map()): TextPart[] {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return splitCaseNumbers(describeDetail(detail));
  const named = Object.fromEntries(
    Object.entries(detail as Record<string, unknown>).map(([key, value]) => [
      key,
      CASE_KEY.test(key) && isCaseNumber(value) ? `#${String(value)}` : typeof value === 'string' ? (names.get(value) ?? value) : value,
    ]),
  );
  return splitCaseNumbers(describeDetail(named));
}

function isCaseNumber(value: unknown): boolean {
  return (
    (typeof value === 'number' && Number.isInteger(value) && value > 0) || (typeof value === 'string' && /^[1-9]\d{0,14}$/.test(value))
  );
}
