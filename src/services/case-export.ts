import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type ExcelJS from 'exceljs';
import type { ExportFormat, ExportQuery } from '../contract/index.js';
import type { Executor } from '../db/database.js';
import {
  countExportCases,
  exportCasesPage,
  exportLabels,
  exportMessages,
  exportNotes,
  type CaseExportFilter,
  type ExportCaseRow,
} from '../db/queries/case-export.js';
import { dayRange } from '../domain/day-range.js';
import { forbidden } from '../domain/errors.js';
import {
  FIXED_COLUMNS,
  exportFileName,
  exportTime,
  fitCell,
  neutralise,
  noteLine,
  parseInclude,
  transcriptLine,
  type CellValue,
  type ExportInclude,
} from '../domain/spreadsheet-cells.js';
import { holdsAnswer, type Answers, type Question } from '../domain/survey.js';
import type { AccessLogService } from './access-log.js';
import { loadExcelJs } from './exceljs.js';
import type { Actor, ServiceContext } from './context.js';
import { groupBy } from './group-by.js';
import { newId } from './ids.js';
import type { PrivacyAudit } from './privacy/privacy-audit.js';
import { answersFor, contactFor, viewerOf, type Viewer } from './presenters.js';
import { loadSurvey } from './surveys.js';

/** Cases read per query: enough to keep round trips few, few enough that a page of transcripts stays small. */
export const EXPORT_PAGE = 500;

export interface CaseExportFile {
  fileName: string;
  contentType: string;
  /** Written as the client reads it; destroying it (a client gone) stops reading cases. */
  stream: Readable;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** An answer as one cell: `select_multiple` choices space-separated, as in XLSForm (§13). */
const byRecord = (row: { record_id: string }): string => row.record_id;

function answerCell(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String).join(' ');
  return JSON.stringify(value);
}

type MessageRow = Awaited<ReturnType<typeof exportMessages>>[number];
type NoteRow = Awaited<ReturnType<typeof exportNotes>>[number];

/** What every row of one export is built with. */
interface ExportPlan {
  filter: CaseExportFilter;
  questions: Question[];
  include: Set<ExportInclude>;
  viewer: Viewer;
}

function headerOf(plan: ExportPlan): string[] {
  return [
    ...FIXED_COLUMNS,
    ...plan.questions.map((question) => question.name),
    ...(plan.include.has('transcript') ? ['transcript'] : []),
    ...(plan.include.has('notes') ? ['notes'] : []),
  ];
}

/**
 * The rows of the export, a page of cases at a time; the caller's pace decides when the
 * next page is read, so a slow or departed client never makes the server hold more.
 */
async function* rowsOf(db: Executor, plan: ExportPlan): AsyncGenerator<CellValue[]> {
  let after = 0;
  for (;;) {
    const cases = await exportCasesPage(db, plan.filter, after, EXPORT_PAGE);
    if (cases.length === 0) return;
    const ids = cases.map((row) => row.id);
    const labels = groupBy(await exportLabels(db, ids), byRecord);
    const messages = plan.include.has('transcript') ? groupBy(await exportMessages(db, ids), byRecord) : new Map<string, MessageRow[]>();
    const notes = plan.include.has('notes') ? groupBy(await exportNotes(db, ids), byRecord) : new Map<string, NoteRow[]>();
    for (const row of cases) {
      yield rowOf(plan, row, {
        labels: (labels.get(row.id) ?? []).map((label) => label.name).sort((a, b) => a.localeCompare(b)),
        messages: messages.get(row.id) ?? [],
        notes: notes.get(row.id) ?? [],
      });
    }
    after = Number(cases[cases.length - 1]!.case_number);
    if (cases.length < EXPORT_PAGE) return;
  }
}

function rowOf(
  plan: ExportPlan,
  row: ExportCaseRow,
  parts: {
    labels: string[];
    messages: MessageRow[];
    notes: NoteRow[];
  },
): CellValue[] {
  const { viewer } = plan;
  const answers = answersFor(viewer, JSON.parse(row.answers) as Answers, {
    contact: row.contact,
    theirNumberQuestion: row.their_number_question,
  });
  const cells: CellValue[] = [
    Number(row.case_number),
    row.status,
    exportTime(Number(row.created_at)),
    exportTime(row.closed_at === null ? null : Number(row.closed_at)),
    exportTime(Number(row.updated_at)),
    contactFor(viewer, row.contact),
    row.our_number,
    row.channel,
    row.assignee,
    parts.labels.join(', '),
    Number(row.message_count ?? 0),
    ...plan.questions.map((question) => answerCell(answers[question.name])),
  ];
  if (plan.include.has('transcript')) {
    cells.push(
      parts.messages
        .map((message) =>
          transcriptLine({
            at: Number(message.created_at),
            direction: message.direction,
            text: message.body,
            automatic: Number(message.automatic) === 1,
            attachments: Number(message.attachments ?? 0),
          }),
        )
        .join('\n'),
    );
  }
  if (plan.include.has('notes')) {
    cells.push(parts.notes.map((note) => noteLine({ at: Number(note.created_at), author: note.author, text: note.text })).join('\n'));
  }
  return cells;
}

/** A CSV cell: text neutralised so no spreadsheet program runs it, then cut to fit. */
const csvCell = (value: CellValue): CellValue => (typeof value === 'string' ? fitCell(neutralise(value)) : value);

async function* csvOf(header: string[], rows: AsyncIterable<CellValue[]>): AsyncGenerator<string> {
  // The byte-order mark tells spreadsheet programs the file is UTF-8.
  yield '\uFEFF' + stringify([header], { record_delimiter: 'windows' });
  for await (const row of rows) yield stringify([row.map(csvCell)], { record_delimiter: 'windows' });
}

/** A stream as far as waiting on it goes: Node's own or the `readable-stream` copy archiver uses. */
interface Drainable {
  _writableState?: { length: number; highWaterMark: number };
  once(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
}

/**
 * exceljs hands a sheet's XML to the ZIP through archiver's PassThrough (a `readable-stream`
 * copy, not Node's), whose writes it never waits on (lib/utils/stream-buf.js `_pipe`): when
 * compressing is slower than reading cases, that queue would grow by every row, so the
 * writer waits on it as on the download itself.
 */
function sheetQueue(sheet: ExcelJS.Worksheet): Drainable | null {
  const pipes = (sheet as unknown as { stream?: { pipes?: Drainable[] } }).stream?.pipes;
  return pipes?.[0] ?? null;
}

const isFull = (stream: Drainable): boolean => {
  const state = stream._writableState;
  return state !== undefined && state.length >= state.highWaterMark;
};

/**
 * The workbook, streamed: rows are committed as they come, and the next case is read only
 * once the ZIP and the client have taken what is written (`drain`).
 */
async function xlsxOf(header: string[], rows: AsyncGenerator<CellValue[]>): Promise<Readable> {
  const output = new PassThrough();
  const workbook = new (await loadExcelJs()).stream.xlsx.WorkbookWriter({ stream: output, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet('Cases');
  let gone = false;
  output.on('close', () => {
    gone = true;
  });
  /** Until `stream` drains, or the client goes away. */
  const drained = (stream: Drainable) =>
    new Promise<void>((resolve) => {
      const done = () => {
        stream.removeListener('drain', done);
        output.off('close', done);
        resolve();
      };
      stream.once('drain', done);
      output.once('close', done);
    });

  async function write(): Promise<void> {
    sheet.addRow(header).commit();
    for await (const row of rows) {
      if (gone) break;
      // Text goes in as text, never as a formula; only its length is limited.
      sheet.addRow(row.map((value) => (typeof value === 'string' ? fitCell(value) : value))).commit();
      const queue = sheetQueue(sheet);
      if (queue && isFull(queue)) await drained(queue);
      if (isFull(output)) await drained(output);
    }
    if (gone) {
      await rows.return(undefined);
      return;
    }
    sheet.commit();
    await workbook.commit();
  }
  write().catch((error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))));
  return output;
}

/**
 * A survey's cases as a spreadsheet (DESIGN.md §10 "Export"): one row per case, CSV or
 * XLSX, streamed in pages. Admins and analysts only; contacts masked as the API masks them
 * for the reader. The export is recorded in the privacy audit trail and the access log
 * before its first byte, so a download that fails part way is still on record.
 */
export function createCaseExport(ctx: ServiceContext, accessLog: AccessLogService, privacyAudit: PrivacyAudit) {
  const { db } = ctx;
  return {
    async export(actor: Actor, surveyId: string, query: ExportQuery): Promise<CaseExportFile> {
      if (actor.role === 'viewer') throw forbidden('Viewers cannot export cases');
      const survey = await loadSurvey(db.kysely, actor.orgId, surveyId);
      const range = dayRange(query.from, query.to, query.tz);
      const include = parseInclude(query.include);
      const status = query.status === undefined || query.status === 'all' ? null : query.status;
      const filter: CaseExportFilter = { orgId: actor.orgId, surveyId: survey.id, status, ...range };
      const plan: ExportPlan = {
        filter,
        // The conversation is the transcript's column, and a note holds no answer.
        questions: include.has('answers') ? survey.questions.filter((question) => holdsAnswer(question.type)) : [],
        include,
        viewer: await viewerOf(db.kysely, actor),
      };

      const cases = await countExportCases(db.kysely, filter);
      const now = ctx.now();
      await privacyAudit.record(db.kysely, {
        orgId: actor.orgId,
        userId: actor.userId,
        action: 'case-export',
        surveyId: survey.id,
        contact: null,
        counts: { cases },
      });
      await accessLog.exportRead(actor, newId(now), []);

      const header = headerOf(plan);
      const rows = rowsOf(db.kysely, plan);
      const stream = query.format === 'csv' ? Readable.from(csvOf(header, rows)) : await xlsxOf(header, rows);
      return {
        fileName: exportFileName(survey.name, exportTime(now)!.slice(0, 10), query.format),
        contentType: CONTENT_TYPES[query.format],
        stream,
      };
    },
  };
}

export type CaseExport = ReturnType<typeof createCaseExport>;
