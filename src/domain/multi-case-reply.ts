/** Fills a number's multi-case reply (DESIGN.md §2 rule 5): `{count}` and `{cases}`. */
export interface CaseSummary {
  caseNumber: number;
  firstMessage: string;
}

const PREVIEW_LENGTH = 40;

export function shorten(text: string, length = PREVIEW_LENGTH): string {
  // Code points, not UTF-16 units, so an emoji is never cut in half.
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= length
    ? chars.join('')
    : `${chars
        .slice(0, length - 1)
        .join('')
        .trimEnd()}…`;
}

export function renderMultiCaseReply(template: string, cases: readonly CaseSummary[]): string {
  const list = cases.map((c) => `#${c.caseNumber}: ${shorten(c.firstMessage)}`).join('\n');
  // Function replacements: `$&` and friends in a person's message are text, not patterns.
  return template.replaceAll('{count}', () => String(cases.length)).replaceAll('{cases}', () => list);
}
