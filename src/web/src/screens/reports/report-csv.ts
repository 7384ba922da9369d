import type { CsvValue, ReportTable } from './report-tables.js';

/**
 * The dashboard's tables as CSV, written like the server's case export (DESIGN.md §10
 * "Export"): UTF-8 with a byte-order mark, CRLF lines, and a text cell a spreadsheet program
 * would read as a formula neutralised with a leading `'`. The console imports only the API
 * contract, so this is its own copy of the domain's rule (src/domain/spreadsheet-cells.ts);
 * test/unit/web/reports-console.test.ts holds the two to the same answers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function csvCell(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = neutraliseCell(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function tableCsv(table: ReportTable): string {
  const lines = [table.columns.map((c) => csvCell(c.csvHeading)), ...table.rows.map((row) => row.cells.map((cell) => csvCell(cell.csv)))];
  return `\uFEFF${lines.map((cells) => cells.join(',')).join('\r\n')}\r\n`;
}

/** `caseline-messages-2026-03-01-2026-03-31.csv`: what the table is and the days it covers. */
export function csvFileName(table: ReportTable, from: string, to: string): string {
  return `caseline-${table.id}-${from}-${to}.csv`;
}
