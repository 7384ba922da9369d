import type ExcelJS from 'exceljs';
import { DomainError } from '../domain/errors.js';
import { sanitiseFileName } from '../domain/file-names.js';
import { surveySlug } from '../domain/spreadsheet-cells.js';
import { surveyFromXlsForm, xlsFormOf, type SheetGrid, type SkippedRow, type XlsFormSheets } from '../domain/xlsform.js';
import { requireAdmin, type Actor, type ServiceContext } from './context.js';
import { loadExcelJs } from './exceljs.js';
import { loadSurvey, type createSurveyService, type Survey } from './surveys.js';

/** The largest XLSForm upload: real forms are tens of kilobytes. */
export const XLSFORM_MAX_BYTES = 5 * 1024 * 1024;
/** Rows and columns read from a sheet: far above any form's, and a bound on a workbook that unpacks large. */
const MAX_ROWS = 10_000;
const MAX_COLUMNS = 200;
const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export const invalidXlsForm = (message: string, details?: Record<string, unknown>) => new DomainError('invalid_xlsform', message, details);

export interface XlsFormImport {
  survey: Survey;
  skipped: SkippedRow[];
}

/** Reads the three sheets of an XLSForm workbook (names as ODK spells them, in any case) into text grids. */
async function readXlsForm(bytes: Buffer): Promise<XlsFormSheets> {
  if (!bytes.subarray(0, 4).equals(ZIP_SIGNATURE)) throw invalidXlsForm('The file is not an .xlsx workbook');
  const workbook = new (await loadExcelJs()).Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch {
    throw invalidXlsForm('The file is not an .xlsx workbook that can be read');
  }
  const sheet = (name: string) => workbook.worksheets.find((ws) => ws.name.trim().toLowerCase() === name);
  const survey = sheet('survey');
  if (!survey) throw invalidXlsForm('The workbook has no `survey` sheet');
  const choices = sheet('choices');
  const settings = sheet('settings');
  return { survey: gridOf(survey), choices: choices ? gridOf(choices) : null, settings: settings ? gridOf(settings) : null };
}

function gridOf(sheet: ExcelJS.Worksheet): SheetGrid {
  if (sheet.rowCount > MAX_ROWS) throw invalidXlsForm(`The ${sheet.name} sheet has more than ${MAX_ROWS} rows`);
  const width = Math.min(sheet.columnCount, MAX_COLUMNS);
  const grid: SheetGrid = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(row.getCell(c).text);
    grid.push(cells);
  }
  return grid;
}

async function workbookOf(sheets: XlsFormSheets): Promise<Buffer> {
  const workbook = new (await loadExcelJs()).Workbook();
  for (const [name, grid] of Object.entries(sheets) as Array<[string, SheetGrid | null]>) {
    const sheet = workbook.addWorksheet(name);
    for (const row of grid ?? []) sheet.addRow(row);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** XLSForm import and export (DESIGN.md §11): the mapping is src/domain/xlsform.ts; this reads and writes workbooks. */
export function createXlsFormService(ctx: ServiceContext, surveys: ReturnType<typeof createSurveyService>) {
  return {
    /** Builds a new survey from an uploaded workbook; admins only, like creating a survey. */
    async import(actor: Actor, upload: { bytes: Buffer; fileName: string | null }): Promise<XlsFormImport> {
      requireAdmin(actor);
      const { survey, skipped } = surveyFromXlsForm(await readXlsForm(upload.bytes), sanitiseFileName(upload.fileName));
      if (survey.questions.length === 0) throw invalidXlsForm('The form has no question Caseline can use', { skipped });
      const created = await surveys.create(actor, {
        name: survey.name,
        questions: survey.questions,
        caseManagement: survey.caseManagement,
      });
      return { survey: created, skipped };
    },

    /** The survey as an XLSForm workbook, to anyone who may read the survey. */
    async export(actor: Actor, surveyId: string): Promise<{ fileName: string; bytes: Buffer }> {
      const survey = await loadSurvey(ctx.db.kysely, actor.orgId, surveyId);
      return { fileName: `${surveySlug(survey.name)}-xlsform.xlsx`, bytes: await workbookOf(xlsFormOf(survey)) };
    },
  };
}
