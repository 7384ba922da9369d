/**
 * The shapes of the Caseline HTTP API (DESIGN.md §4) as the console reads them.
 *
 * Where the server names the JSON it sends, the console uses that type itself, so the two
 * cannot drift apart. These are `export type` re-exports only: Vite erases them, and no
 * server code reaches the bundle (importing a value from these modules would).
 */
export type { AnswerValue, CaseManagement, Choice, Question, QuestionType } from '../../../domain/survey.js';
export type { Survey } from '../../../services/surveys.js';
export type { SessionView as Session, UserView as User } from '../../../services/users.js';
export type { ApiTokenView as ApiToken } from '../../../services/credentials.js';
export type { NumberView as PhoneNumber } from '../../../services/numbers.js';
export type { MessageView as Message } from '../../../services/record-store.js';
// The server calls them records; the console shows every record as a case.
export type {
  HistoryView as HistoryItem,
  NoteView as Note,
  RecordSummary as CaseSummary,
  RecordView as CaseRecord,
} from '../../../services/records.js';

import type { MessageView } from '../../../services/record-store.js';
import type { NumberView } from '../../../services/numbers.js';
import type { UserView } from '../../../services/users.js';

export type Role = UserView['role'];
export type Provider = NumberView['provider'];
export type Channel = NumberView['channel'];

/** Ids are strings today; events and routes still compare them as text to be safe. */
export type Id = string | number;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A message of one phone in the simulator; the server's simulator answers it unnamed. */
export interface SimulatorMessage {
  id: Id;
  direction: 'in' | 'out';
  text: string;
  at: string;
  status: MessageView['status'];
}

export type ServerEventType = 'record.created' | 'record.updated' | 'message.added' | 'message.status';

export interface ServerEvent {
  type: ServerEventType;
  caseNumber: number | null;
  surveyId: Id | null;
  messageId: Id | null;
}

export function sameId(a: Id | null | undefined, b: Id | null | undefined): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
}
