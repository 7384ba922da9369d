import { Type, type Static } from '@sinclair/typebox';
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
export const Survey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  questions: Type.Array(Question),
  caseManagement: Nullable(CaseManagement),
  /** New cases go to the available analyst with the fewest open cases below their capacity (DESIGN.md §7). */
  autoAssign: Type.Boolean(),
});
export type Survey = Static<typeof Survey>;
export const SurveyCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    questions: Type.Array(Question, { maxItems: 500 }),
    caseManagement: Type.Optional(Nullable(CaseManagement)),
    autoAssign: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SurveyCreate = Static<typeof SurveyCreate>;
export const SurveyPatch = Type.Partial(SurveyCreate, { additionalProperties: false });
export type SurveyPatch = Static<typeof SurveyPatch>;
