import { isSelectType, type CaseManagement, type Choice, type Question, type QuestionType, type SurveyDefinition } from './survey.js';

/**
 * XLSForm (DESIGN.md §11): the `survey`, `choices` and `settings` sheets that ODK,
 * KoboToolbox and the source product use, as plain text grids. The service only reads a
 * workbook into grids; what a grid means is decided here.
 */

/** A sheet as the text of its cells: `grid[0]` is the header, the spreadsheet's row 1. */
export type SheetGrid = string[][];

export interface XlsFormSheets {
  survey: SheetGrid;
  choices: SheetGrid | null;
  settings: SheetGrid | null;
}

/** A row of the survey sheet the import could not use, numbered as the spreadsheet shows it. */
export interface SkippedRow {
  row: number;
  type: string;
  reason: string;
}

export interface ImportedForm {
  survey: SurveyDefinition;
  skipped: SkippedRow[];
}

/** Our own settings columns, so that an exported survey comes back with its case management. */
export const STATUS_QUESTION_SETTING = 'caseline_status_question';
export const FINAL_STATUS_SETTING = 'caseline_final_status';

export const IMPORTED_FORM_NAME = 'Imported form';
const MAX_QUESTIONS = 500;
const MAX_CHOICES = 500;
const MAX_LABEL = 500;
const MAX_CHOICE_VALUE = 200;
const MAX_SURVEY_NAME = 200;
const QUESTION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const PLAIN_TYPES: Record<string, QuestionType> = {
  text: 'text',
  string: 'text',
  integer: 'integer',
  int: 'integer',
  decimal: 'decimal',
  date: 'date',
  note: 'note',
  phone: 'phone',
  conversation: 'conversation',
};

/** The spellings pyxform accepts for the two select types, longest first. */
const SELECT_PREFIXES: Array<[string, 'select_one' | 'select_multiple']> = [
  ['select all that apply', 'select_multiple'],
  ['select_multiple', 'select_multiple'],
  ['select multiple', 'select_multiple'],
  ['select_one', 'select_one'],
  ['select one', 'select_one'],
  ['select1', 'select_one'],
];

const GROUPS = 'Groups are not kept: the questions inside the group are imported on their own';
const REPEATS = 'Repeats are not supported: the questions inside the repeat are imported once';
const METADATA = 'Metadata that a form app records is not kept';
const MEDIA = 'Media questions are not supported: media arrive as attachments in the conversation';
const LOCATIONS = 'Locations are not supported';

/** Why a known XLSForm type has no question of ours; any other type is unknown. */
const UNSUPPORTED: Record<string, string> = {
  'begin group': GROUPS,
  'end group': GROUPS,
  begin_group: GROUPS,
  end_group: GROUPS,
  'begin repeat': REPEATS,
  'end repeat': REPEATS,
  begin_repeat: REPEATS,
  end_repeat: REPEATS,
  calculate: 'Calculations are not supported',
  hidden: 'Calculations are not supported',
  geopoint: LOCATIONS,
  geotrace: LOCATIONS,
  geoshape: LOCATIONS,
  'start-geopoint': LOCATIONS,
  image: MEDIA,
  audio: MEDIA,
  video: MEDIA,
  file: MEDIA,
  'background-audio': MEDIA,
  barcode: 'Barcodes are not supported',
  time: 'Times are not supported, only dates',
  datetime: 'Times are not supported, only dates',
  range: 'Ranges are not supported',
  rank: 'Ranking is not supported',
  acknowledge: 'Acknowledgements are not supported',
  trigger: 'Acknowledgements are not supported',
  start: METADATA,
  end: METADATA,
  today: METADATA,
  deviceid: METADATA,
  subscriberid: METADATA,
  simserial: METADATA,
  phonenumber: METADATA,
  username: METADATA,
  email: METADATA,
  audit: METADATA,
  'xml-external': 'External data is not supported',
  'csv-external': 'External data is not supported',
};

/** A sheet's columns by their lower-case names. */
class Columns {
  private readonly index = new Map<string, number>();
  readonly names: string[];

  constructor(header: string[] = []) {
    this.names = header.map((name) => name.trim().toLowerCase());
    this.names.forEach((name, i) => {
      if (name && !this.index.has(name)) this.index.set(name, i);
    });
  }

  has = (name: string) => this.index.has(name);

  /** The cell of `row` under the first column named any of `names`, trimmed; '' when none. */
  cell(row: string[], ...names: string[]): string {
    for (const name of names) {
      const i = this.index.get(name);
      if (i !== undefined) return (row[i] ?? '').trim();
    }
    return '';
  }

  /** `label::<default language>`, else `label`, else the first translated label. */
  labelColumn(defaultLanguage: string): string | null {
    const wanted = defaultLanguage ? `label::${defaultLanguage.toLowerCase()}` : null;
    const translated = this.names.filter((name) => name.startsWith('label::'));
    const exact = wanted && translated.find((name) => name.replace(/\s*::\s*/, '::') === wanted);
    if (exact) return exact;
    if (this.has('label')) return 'label';
    return translated[0] ?? null;
  }
}

interface ChoiceRow extends Choice {
  row: number;
}

function settingsOf(grid: SheetGrid | null): (name: string) => string {
  const columns = new Columns(grid?.[0]);
  const values = grid?.[1] ?? [];
  return (name) => columns.cell(values, name);
}

function choiceListsOf(grid: SheetGrid | null, defaultLanguage: string): Map<string, ChoiceRow[]> {
  const lists = new Map<string, ChoiceRow[]>();
  if (!grid) return lists;
  const columns = new Columns(grid[0]);
  const label = columns.labelColumn(defaultLanguage);
  grid.slice(1).forEach((cells, i) => {
    const list = columns.cell(cells, 'list_name', 'list name');
    if (!list) return;
    const choice = { row: i + 2, value: columns.cell(cells, 'name', 'value'), label: label ? columns.cell(cells, label) : '' };
    const choices = lists.get(list);
    if (choices) choices.push(choice);
    else lists.set(list, [choice]);
  });
  return lists;
}

/** The list's choices as a question of `type` may offer them, or why they cannot be. */
function choicesFor(type: 'select_one' | 'select_multiple', list: string, rows: ChoiceRow[] | undefined): Choice[] | string {
  if (!rows || rows.length === 0) return `The choice list ${list} is not on the choices sheet`;
  if (rows.length > MAX_CHOICES) return `The choice list ${list} has more than ${MAX_CHOICES} choices`;
  const seen = new Set<string>();
  for (const { row, value, label } of rows) {
    const where = `(choices row ${row})`;
    if (!value) return `A choice of the list ${list} has no name ${where}`;
    if (value.length > MAX_CHOICE_VALUE) return `A choice name of the list ${list} is longer than ${MAX_CHOICE_VALUE} characters ${where}`;
    if (label.length > MAX_LABEL) return `A choice label of the list ${list} is longer than ${MAX_LABEL} characters ${where}`;
    if (seen.has(value)) return `The choice list ${list} has the name ${value} twice ${where}`;
    if (type === 'select_multiple' && /\s/.test(value)) {
      return `Choice names of a select_multiple cannot contain spaces: "${value}" ${where}`;
    }
    seen.add(value);
  }
  return rows.map(({ value, label }) => ({ value, label }));
}

type ParsedType = { kind: 'plain'; type: QuestionType } | { kind: 'select'; type: 'select_one' | 'select_multiple'; rest: string[] };

function parseType(raw: string): ParsedType | null {
  const text = raw.replace(/\s+/g, ' ');
  const lower = text.toLowerCase();
  const plain = PLAIN_TYPES[lower];
  if (plain) return { kind: 'plain', type: plain };
  for (const [prefix, type] of SELECT_PREFIXES) {
    if (lower === prefix || lower.startsWith(`${prefix} `)) {
      return { kind: 'select', type, rest: text.slice(prefix.length).split(' ').filter(Boolean) };
    }
  }
  return null;
}

/**
 * The survey an XLSForm describes, and every survey-sheet row it could not use with the
 * reason. Its name is the settings' `form_title`, else the file's name, else "Imported form".
 */
export function surveyFromXlsForm(sheets: XlsFormSheets, fileName: string | null): ImportedForm {
  const setting = settingsOf(sheets.settings);
  const defaultLanguage = setting('default_language');
  const lists = choiceListsOf(sheets.choices, defaultLanguage);
  const columns = new Columns(sheets.survey[0]);
  const labelColumn = columns.labelColumn(defaultLanguage);
  const questions: Question[] = [];
  const skipped: SkippedRow[] = [];
  const names = new Set<string>();

  sheets.survey.slice(1).forEach((cells, i) => {
    const row = i + 2;
    if (cells.every((cell) => cell.trim() === '')) return;
    const rawType = columns.cell(cells, 'type').replace(/\s+/g, ' ');
    const skip = (reason: string) => skipped.push({ row, type: rawType, reason });
    if (!rawType) return skip('The row has no type');
    const parsed = parseType(rawType);
    if (!parsed) {
      if (/^select_one_from_file|^select_multiple_from_file/i.test(rawType)) return skip('Choices from a file are not supported');
      return skip(UNSUPPORTED[rawType] ?? UNSUPPORTED[rawType.toLowerCase()] ?? `Unknown question type ${rawType}`);
    }
    const name = columns.cell(cells, 'name');
    if (!name) return skip('The question has no name');
    if (!QUESTION_NAME.test(name)) return skip(`The name ${name} must be letters, digits and _ (at most 64), not starting with a digit`);
    if (names.has(name)) return skip(`The name ${name} is used by an earlier row`);
    const label = labelColumn ? columns.cell(cells, labelColumn) : '';
    if (label.length > MAX_LABEL) return skip(`The label is longer than ${MAX_LABEL} characters`);
    if (questions.length >= MAX_QUESTIONS) return skip(`A survey holds at most ${MAX_QUESTIONS} questions`);

    let question: Question;
    if (parsed.kind === 'select') {
      const [list, ...extra] = parsed.rest;
      if (!list) return skip('The select names no choice list');
      if (extra.length > 0) return skip(`${extra.join(' ')} is not supported`);
      const choices = choicesFor(parsed.type, list, lists.get(list));
      if (typeof choices === 'string') return skip(choices);
      question = { name, label, type: parsed.type, choices };
    } else {
      question = { name, label, type: parsed.type };
    }
    names.add(name);
    questions.push(question);
  });

  return {
    survey: {
      name: surveyName(setting('form_title'), fileName),
      questions,
      caseManagement: caseManagementOf(questions, setting(STATUS_QUESTION_SETTING), setting(FINAL_STATUS_SETTING)),
    },
    skipped,
  };
}

function surveyName(formTitle: string, fileName: string | null): string {
  const fromFile = (fileName ?? '').replace(/\.[^.]*$/, '').trim();
  return (formTitle || fromFile || IMPORTED_FORM_NAME).slice(0, MAX_SURVEY_NAME).trim();
}

/**
 * Case management from our own settings columns when they name an imported select_one and
 * one of its choices; else a select_one named `status` with a `closed` choice; else off.
 */
function caseManagementOf(questions: Question[], statusQuestion: string, finalStatus: string): CaseManagement | null {
  const offers = (name: string, value: string) =>
    questions.some((q) => q.name === name && q.type === 'select_one' && q.choices?.some((c) => c.value === value));
  if (statusQuestion && finalStatus && offers(statusQuestion, finalStatus)) return { statusQuestion, finalStatus };
  if (offers('status', 'closed')) return { statusQuestion: 'status', finalStatus: 'closed' };
  return null;
}

/**
 * A survey as an XLSForm that imports back to the same questions, choices, labels and case
 * management: each select's choice list is named after its question.
 */
export function xlsFormOf(survey: SurveyDefinition): XlsFormSheets {
  const surveyRows = survey.questions.map((q) => [isSelectType(q.type) ? `${q.type} ${q.name}` : q.type, q.name, q.label]);
  const choiceRows = survey.questions.flatMap((q) =>
    isSelectType(q.type) ? (q.choices ?? []).map((c) => [q.name, c.value, c.label]) : [],
  );
  const cm = survey.caseManagement;
  return {
    survey: [['type', 'name', 'label'], ...surveyRows],
    choices: [['list_name', 'name', 'label'], ...choiceRows],
    settings: [
      ['form_title', 'form_id', 'default_language', ...(cm ? [STATUS_QUESTION_SETTING, FINAL_STATUS_SETTING] : [])],
      [survey.name, formId(survey.name), 'default', ...(cm ? [cm.statusQuestion, cm.finalStatus] : [])],
    ],
  };
}

/** A form id as ODK wants it: letters, digits and _. */
function formId(name: string): string {
  const id = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return /^[a-z]/.test(id) ? id : `form_${id}`.replace(/_+$/, '');
}
