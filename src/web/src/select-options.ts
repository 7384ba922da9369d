import type { Choice, Question, Survey } from './api/types.js';
import type { SelectOption } from './ui/fields.js';

/** The lists the console's selects offer; a missing label falls back to the stored value. */
export function surveyOptions(surveys: readonly Survey[]): SelectOption[] {
  return surveys.map((s) => ({ value: String(s.id), label: s.name }));
}

export function questionOptions(questions: readonly Question[]): SelectOption[] {
  return questions.map((q) => ({ value: q.name, label: q.label || q.name }));
}

export function choiceOptions(choices: readonly Choice[]): SelectOption[] {
  return choices.map((c) => ({ value: c.value, label: c.label || c.value }));
}
