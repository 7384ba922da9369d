/**
 * A message template's body with `{{1}}`, `{{2}}`… filled, as the person will read it
 * (DESIGN.md §7 "Templates"). The server fills the stored text the same way
 * (src/domain/templates.ts); the console shows it before sending.
 */
const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

/** The body with `{{n}}` replaced by the n-th value; an empty or missing value shows the placeholder. */
export function fillTemplate(body: string, values: readonly string[]): string {
  return body.replace(PLACEHOLDER, (whole, n: string) => values[Number(n) - 1]?.trim() || whole);
}

/** The parameters typed one a line (an example may hold a comma: "Monday, 3 June"), as a list. */
export function parameterList(text: string): string[] {
  return text
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
}
