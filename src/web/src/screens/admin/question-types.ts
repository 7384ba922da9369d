import type { QuestionType } from '../../api/types.js';

/** The names the survey screen shows for question types; the API's ids stay out of sight. */
export const TYPE_LABELS: Record<QuestionType, string> = {
  text: 'Text',
  integer: 'Whole number',
  decimal: 'Decimal number',
  date: 'Date',
  select_one: 'Select one',
  select_multiple: 'Select several',
  phone: 'Phone number',
  conversation: 'Conversation',
  note: 'Note (shown, not answered)',
};
export const TYPE_OPTIONS = Object.entries(TYPE_LABELS).map(([value, label]) => ({ value, label }));

const TYPE_IDS = Object.keys(TYPE_LABELS).join('|');
// A type id where a message names a type ("is select_one", "a select_one question", "a valid
// date"); plain words such as "text" elsewhere in a message are left alone.
const NAMED_TYPE = new RegExp(`\\b(is|a|an|valid) (${TYPE_IDS})\\b`, 'g');

/** The server's message with question type ids written as the labels the screen shows. */
export function humaniseQuestionTypes(message: string): string {
  return message
    .replace(NAMED_TYPE, (_, word: string, id: QuestionType) => `${word === 'an' ? 'a' : word} “${TYPE_LABELS[id]}”`)
    .replace(/\bselect_one\b/g, `“${TYPE_LABELS.select_one}”`)
    .replace(/\bselect_multiple\b/g, `“${TYPE_LABELS.select_multiple}”`);
}
