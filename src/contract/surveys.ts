import { Type, type Static } from '@sinclair/typebox';
import { WEEKDAYS } from '../domain/business-hours.js';
import { QUESTION_TYPES } from '../domain/survey.js';
import { Nullable, OneOf } from './common.js';

export const Choice = Type.Object({ value: Type.String({ minLength: 1, maxLength: 200 }), label: Type.String({ maxLength: 500 }) });
export type Choice = Static<typeof Choice>;
export const QuestionType = OneOf(QUESTION_TYPES);
export type QuestionType = Static<typeof QuestionType>;
export const Question = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64 }),
  label: Type.String({ maxLength: 500 }),
  type: QuestionType,
  choices: Type.Optional(Type.Array(Choice, { maxItems: 500 })),
});
export type Question = Static<typeof Question>;
export const CaseManagement = Type.Object({
  statusQuestion: Type.String({ minLength: 1 }),
  finalStatus: Type.String({ minLength: 1 }),
});
export type CaseManagement = Static<typeof CaseManagement>;
const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' });
/** Business hours (DESIGN.md §8): local opening intervals per weekday, `["09:00","17:00"]`, and closed dates. */
export const BusinessHours = Type.Object(
  {
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
    weekly: Type.Object(
      Object.fromEntries(WEEKDAYS.map((day) => [day, Type.Optional(Type.Array(Type.Tuple([ClockTime, ClockTime]), { maxItems: 12 }))])),
      { additionalProperties: false },
    ),
    holidays: Type.Array(Type.String({ format: 'date' }), { maxItems: 366 }),
  },
  { additionalProperties: false },
);
export type BusinessHours = Static<typeof BusinessHours>;
/** Alert thresholds in minutes of waiting (business minutes when the survey has hours); both counted from the wait's start. */
export const AlertSettings = Type.Object(
  {
    firstLevelMinutes: Type.Integer({ minimum: 1 }),
    secondLevelMinutes: Nullable(Type.Integer({ minimum: 1 })),
    emails: Type.Array(Type.String({ format: 'email', maxLength: 254 }), { maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type AlertSettings = Static<typeof AlertSettings>;
/** Open cases with no message for `quietDays` are closed by the system, after `closingText` when set. */
export const AutoCloseSettings = Type.Object(
  {
    quietDays: Type.Integer({ minimum: 1 }),
    closingText: Nullable(Type.String({ minLength: 1, maxLength: 1600 })),
  },
  { additionalProperties: false },
);
export type AutoCloseSettings = Static<typeof AutoCloseSettings>;
/** Closed cases are redacted this many days after closing (DESIGN.md §9); 0: every closed case is due. */
export const RetentionSettings = Type.Object(
  { closedCaseDays: Type.Integer({ minimum: 0, maximum: 36_500 }) },
  { additionalProperties: false },
);
export type RetentionSettings = Static<typeof RetentionSettings>;
const timeRuleSettings = {
  businessHours: Nullable(BusinessHours),
  alerts: Nullable(AlertSettings),
  autoClose: Nullable(AutoCloseSettings),
  retention: Nullable(RetentionSettings),
};

export const Survey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  questions: Type.Array(Question),
  caseManagement: Nullable(CaseManagement),
  /** New cases go to the available analyst with the fewest open cases below their capacity (DESIGN.md §7). */
  autoAssign: Type.Boolean(),
  ...timeRuleSettings,
});
export type Survey = Static<typeof Survey>;
export const SurveyCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    questions: Type.Array(Question, { maxItems: 500 }),
    caseManagement: Type.Optional(Nullable(CaseManagement)),
    autoAssign: Type.Optional(Type.Boolean()),
    businessHours: Type.Optional(timeRuleSettings.businessHours),
    alerts: Type.Optional(timeRuleSettings.alerts),
    autoClose: Type.Optional(timeRuleSettings.autoClose),
    retention: Type.Optional(timeRuleSettings.retention),
  },
  { additionalProperties: false },
);
export type SurveyCreate = Static<typeof SurveyCreate>;
export const SurveyPatch = Type.Partial(SurveyCreate, { additionalProperties: false });
export type SurveyPatch = Static<typeof SurveyPatch>;

/** A survey-sheet row an XLSForm import could not use; `row` as the spreadsheet shows it (header row 1). */
export const SkippedXlsFormRow = Type.Object({ row: Type.Integer({ minimum: 2 }), type: Type.String(), reason: Type.String() });
export type SkippedXlsFormRow = Static<typeof SkippedXlsFormRow>;
/** `POST /surveys/import` (DESIGN.md §13): the new survey as `GET /surveys/{id}` shows it, and the rows left out. */
export const XlsFormImport = Type.Object({ survey: Survey, skipped: Type.Array(SkippedXlsFormRow) });
export type XlsFormImport = Static<typeof XlsFormImport>;
