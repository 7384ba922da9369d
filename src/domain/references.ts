/**
 * Case references in inbound text (DESIGN.md §2 rule 4): `#` followed by digits, standing at
 * the start or after a non-word character, and ending at the end or before a non-word
 * character. Letters of any script count as word characters, so `é#12` is not a reference.
 */
const REFERENCE = /(?<![\p{L}\p{N}_])#(\p{Nd}+)(?![\p{L}\p{N}_])/gu;

/** Case numbers never get this long; longer digit runs are not references. */
const MAX_DIGITS = 15;

/**
 * A person names one case, or a few; no text names more than this many distinct cases.
 * The bound keeps routing's lookup small whatever a hostile text holds.
 */
export const MAX_REFERENCES = 100;

/**
 * The distinct case numbers referenced in `text`, in order of first appearance, at most
 * `MAX_REFERENCES` of them. Linear in the length of the text.
 */
export function parseReferences(text: string): number[] {
  const found = new Set<number>();
  for (const match of text.matchAll(REFERENCE)) {
    const digits = match[1]!;
    if (!/^[0-9]+$/.test(digits) || digits.length > MAX_DIGITS) continue;
    const caseNumber = Number(digits);
    if (caseNumber > 0) found.add(caseNumber);
    if (found.size === MAX_REFERENCES) break;
  }
  return [...found];
}

/**
 * Whether `text` carries `#0`, the one reference that names no case: the person says "this
 * is something new" (rule 4). Leading zeros count as for any reference (`#00`).
 */
export function asksForNewCase(text: string): boolean {
  for (const match of text.matchAll(REFERENCE)) {
    if (/^0+$/.test(match[1]!)) return true;
  }
  return false;
}

/** The suffix a reply carries so the person can answer one case (rule 8). */
export function referenceSuffix(caseNumber: number): string {
  return ` #${caseNumber}`;
}

export function withReference(text: string, caseNumber: number): string {
  return `${text}${referenceSuffix(caseNumber)}`;
}
