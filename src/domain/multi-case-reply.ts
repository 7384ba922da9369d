/** Fills a number's multi-case reply (DESIGN.md §2 rule 5): `{count}` and `{cases}`. */
export interface CaseSummary {
  caseNumber: number;
  firstMessage: string;
}

const PREVIEW_LENGTH = 40;

export function shorten(text: string, length = PREVIEW_LENGTH): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= length ? oneLine : `${oneLine.slice(0, length - 1).trimEnd()}…`;
}

export function renderMultiCaseReply(template: string, cases: readonly CaseSummary[]): string {
  const list = cases.map((c) => `#${c.caseNumber}: ${shorten(c.firstMessage)}`).join('\n');
  return template.replaceAll('{count}', String(cases.length)).replaceAll('{cases}', list);
}
