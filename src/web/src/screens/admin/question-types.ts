import i18next from 'i18next';
import type { QuestionType } from '../../api/types.js';
import type { SelectOption } from '../../ui/fields.js';

/** The names the survey screen shows for question types; the API's ids stay out of sight. */
const TYPE_KEYS = {
  text: 'admin:questionTypes.text',
  integer: 'admin:questionTypes.integer',
  decimal: 'admin:questionTypes.decimal',
  date: 'admin:questionTypes.date',
  select_one: 'admin:questionTypes.selectOne',
  select_multiple: 'admin:questionTypes.selectMultiple',
  phone: 'admin:questionTypes.phone',
  conversation: 'admin:questionTypes.conversation',
  note: 'admin:questionTypes.note',
} as const satisfies Record<QuestionType, string>;

const TYPE_IDS = Object.keys(TYPE_KEYS) as QuestionType[];

/** A question type as the survey screen names it, in the console's language. */
export function typeLabel(type: QuestionType): string {
  return i18next.t(TYPE_KEYS[type]);
}

export function typeOptions(): SelectOption[] {
  return TYPE_IDS.map((value) => ({ value, label: typeLabel(value) }));
}

// A type id where a message names a type ("is select_one", "a select_one question", "a valid
// date"); plain words such as "text" elsewhere in a message are left alone.
const NAMED_TYPE = new RegExp(`\\b(is|a|an|valid) (${TYPE_IDS.join('|')})\\b`, 'g');

/** The server's message with question type ids written as the labels the screen shows. */
export function humaniseQuestionTypes(message: string): string {
  return message
    .replace(NAMED_TYPE, (_, word: string, id: QuestionType) => `${word === 'an' ? 'a' : word} “${typeLabel(id)}”`)
    .replace(/\bselect_one\b/g, `“${typeLabel('select_one')}”`)
    .replace(/\bselect_multiple\b/g, `“${typeLabel('select_multiple')}”`);
}
