import { validationFailed } from './errors.js';

/** The most characters an Excel cell holds; a longer value is cut and says so. */
export const MAX_CELL_CHARS = 32_767;
export const CUT_MARK = '…[cut]';

export const EXPORT_INCLUDES = ['answers', 'transcript', 'notes'] as const;
export type ExportInclude = (typeof EXPORT_INCLUDES)[number];

/** The columns every case export starts with (DESIGN.md §10 "Export"), in order. */
export const FIXED_COLUMNS = [
  'case_number',
  'status',
  'created_at',
  'closed_at',
  'updated_at',
  'contact',
  'number',
  'channel',
  'assignee',
  'labels',
  'messages',
] as const;

export type CellValue = string | number | null;

// A spreadsheet program reads a cell starting with one of these as a formula (OWASP, "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/** Whether a spreadsheet program would take the text for a formula. */
export const looksLikeFormula = (text: string): boolean => FORMULA_START.test(text);

/** A text cell a spreadsheet program shows as text: a leading `'` before what would start a formula. */
export function neutralise(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}

/** A text cut to fit one cell, marked where it was cut. */
export function fitCell(text: string): string {
  return text.length <= MAX_CELL_CHARS ? text : `${text.slice(0, MAX_CELL_CHARS - CUT_MARK.length)}${CUT_MARK}`;
}

/** A time in the export's form: ISO 8601 in UTC to the second. */
export function exportTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One line of a transcript: `2026-11-30T10:00:00Z in: text`, marked automatic or with attachments. */
export function transcriptLine(message: {
  at: number;
  direction: 'in' | 'out';
  text: string;
  automatic: boolean;
  attachments: number;
}): string {
  const marks = [
    message.automatic ? '[automatic]' : null,
    message.attachments > 0 ? `[${message.attachments} attachment${message.attachments === 1 ? '' : 's'}]` : null,
  ].filter((mark) => mark !== null);
  const text = [...marks, message.text].filter((part) => part !== '').join(' ');
  return `${exportTime(message.at)} ${message.direction}: ${text}`;
}

/** One line of the notes cell: `2026-11-30T10:00:00Z Ada Lovelace: text`. */
export function noteLine(note: { at: number; author: string | null; text: string }): string {
  return `${exportTime(note.at)} ${note.author ?? 'unknown'}: ${note.text}`;
}

/** `include=answers,transcript,notes`: which optional parts the export holds (answers alone by default). */
export function parseInclude(include: string | undefined): Set<ExportInclude> {
  if (include === undefined || include.trim() === '') return new Set(['answers']);
  const parts = include.split(',').map((part) => part.trim());
  for (const part of parts) {
    if (!(EXPORT_INCLUDES as readonly string[]).includes(part)) {
      throw validationFailed(`include takes ${EXPORT_INCLUDES.join(', ')}; "${part.slice(0, 40)}" is none of them`);
    }
  }
  return new Set(parts as ExportInclude[]);
}

/** The download's name: the survey's name as a slug and the day, never anything about a person. */
export function exportFileName(surveyName: string, day: string, format: 'csv' | 'xlsx'): string {
  return `${surveySlug(surveyName)}-${day}.${format}`;
}

/** A survey's name as lower-case ASCII words joined by `-`, for file names; `survey` when nothing is left. */
export function surveySlug(surveyName: string): string {
  const slug = surveyName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'survey';
}
