import { validationFailed } from './errors.js';
import { isPhoneNumber } from './phone.js';

export const QUESTION_TYPES = [
  'text',
  'integer',
  'decimal',
  'date',
  'select_one',
  'select_multiple',
  'phone',
  'conversation',
  'note',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** Types whose answer is picked from the question's choices. */
export const SELECT_TYPES = ['select_one', 'select_multiple'] as const satisfies readonly QuestionType[];
export const isSelectType = (type: QuestionType): type is (typeof SELECT_TYPES)[number] =>
  (SELECT_TYPES as readonly QuestionType[]).includes(type);

/** Types that hold no answer a person edits: the conversation (written by messages) and a note (text shown, nothing asked). */
const UNANSWERED_TYPES: readonly QuestionType[] = ['conversation', 'note'];
export const holdsAnswer = (type: QuestionType): boolean => !UNANSWERED_TYPES.includes(type);

export interface Choice {
  value: string;
  label: string;
}

export interface Question {
  name: string;
  label: string;
  type: QuestionType;
  choices?: Choice[];
}

export interface CaseManagement {
  statusQuestion: string;
  finalStatus: string;
}

export interface SurveyDefinition {
  name: string;
  questions: Question[];
  caseManagement: CaseManagement | null;
}

/** A `select_multiple` answer is an array of distinct choice values; `[]`, like null, is no answer (§13). */
export type AnswerValue = string | number | string[] | null;
export type Answers = Record<string, AnswerValue>;

const QUESTION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Checks a survey definition is coherent; throws `validation_failed` naming the problem. */
export function validateSurvey(survey: SurveyDefinition): void {
  if (!survey.name.trim()) throw validationFailed('A survey needs a name');
  const names = new Set<string>();
  for (const q of survey.questions) {
    if (!QUESTION_NAME.test(q.name)) {
      throw validationFailed(`Question name ${JSON.stringify(q.name)} must be letters, digits and _`);
    }
    if (names.has(q.name)) throw validationFailed(`Question ${q.name} appears twice`);
    names.add(q.name);
    if (isSelectType(q.type)) validateChoices(q);
  }
  const cm = survey.caseManagement;
  if (cm) {
    const status = survey.questions.find((q) => q.name === cm.statusQuestion);
    if (!status || status.type !== 'select_one') {
      throw validationFailed('The status question of case management must be a select_one question');
    }
    if (!status.choices?.some((c) => c.value === cm.finalStatus)) {
      throw validationFailed("The final status must be one of the status question's choices");
    }
  }
}

function validateChoices(q: Question): void {
  if (!(q.choices && q.choices.length > 0)) throw validationFailed(`Question ${q.name} is ${q.type} and needs choices`);
  const values = new Set<string>();
  for (const choice of q.choices) {
    if (values.has(choice.value)) throw validationFailed(`Question ${q.name} offers the choice ${JSON.stringify(choice.value)} twice`);
    values.add(choice.value);
    // Its answers are written space-separated in XLSForm and CSV (§13), so a value with a space could not be read back.
    if (q.type === 'select_multiple' && /\s/.test(choice.value)) {
      throw validationFailed(`Choice values of ${q.name} (a select_multiple question) cannot contain spaces`);
    }
  }
}

export function questionOfType(survey: SurveyDefinition, name: string, type: QuestionType): Question {
  const q = survey.questions.find((x) => x.name === name);
  if (!q || q.type !== type) {
    throw validationFailed(`Question ${JSON.stringify(name)} must be a ${type} question of the survey`);
  }
  return q;
}

/** Checks edited answers against the questions; conversation questions are not editable. */
export function validateAnswers(survey: SurveyDefinition, answers: Answers): void {
  for (const [name, value] of Object.entries(answers)) {
    const q = survey.questions.find((x) => x.name === name);
    if (!q) throw validationFailed(`The survey has no question ${JSON.stringify(name)}`);
    if (q.type === 'conversation') {
      throw validationFailed(`Question ${name} holds the conversation and is written by messages only`);
    }
    if (q.type === 'note') throw validationFailed(`Question ${name} is a note and holds no answer`);
    if (value === null || value === '') continue;
    if (!answerFits(q, value)) {
      throw validationFailed(`Answer to ${name} is not a valid ${q.type}`, { question: name });
    }
  }
}

function answerFits(q: Question, value: string | number | string[]): boolean {
  if (Array.isArray(value)) return q.type === 'select_multiple' && choicesFit(q, value);
  switch (q.type) {
    case 'text':
      return typeof value === 'string' && value.length <= 10_000;
    case 'integer':
      return typeof value === 'number' ? Number.isSafeInteger(value) : /^-?\d{1,15}$/.test(value);
    case 'decimal':
      return typeof value === 'number' ? Number.isFinite(value) : /^-?\d{1,15}(\.\d{1,15})?$/.test(value);
    case 'date':
      return typeof value === 'string' && isCalendarDate(value);
    case 'select_one':
      return q.choices?.some((c) => c.value === String(value)) ?? false;
    case 'select_multiple':
      return false;
    case 'phone':
      return typeof value === 'string' && isPhoneNumber(value);
    case 'conversation':
    case 'note':
      return false;
  }
}

/** Distinct values, each one of the question's choices. */
function choicesFit(q: Question, values: string[]): boolean {
  const offered = new Set(q.choices?.map((c) => c.value));
  return new Set(values).size === values.length && values.every((v) => typeof v === 'string' && offered.has(v));
}

/** `YYYY-MM-DD` naming a day that exists (no 30 February). */
function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** A case is open or closed; a record of a survey without case management stays open. */
export const CASE_STATUSES = ['open', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** A case is closed exactly when its status answer equals the final status (rule 10). */
export function caseStatus(cm: CaseManagement | null, answers: Answers): CaseStatus {
  if (!cm) return 'open';
  return answers[cm.statusQuestion] === cm.finalStatus ? 'closed' : 'open';
}

/** The status answer that reopens a closed case: the first choice that is not final. */
export function reopenedStatus(survey: SurveyDefinition): string {
  const cm = survey.caseManagement;
  if (!cm) throw validationFailed('The survey has no case management');
  const q = questionOfType(survey, cm.statusQuestion, 'select_one');
  const choice = q.choices?.find((c) => c.value !== cm.finalStatus);
  if (!choice) throw validationFailed('The status question has no choice other than the final status');
  return choice.value;
}
