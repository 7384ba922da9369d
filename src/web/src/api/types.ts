/** The shapes of the Caseline HTTP API (DESIGN.md §4) as the console reads them. */
export type Id = string | number;
export type Role = 'admin' | 'analyst' | 'viewer';

export interface UserRef {
  id: Id;
  name: string;
}

export interface SessionUser extends UserRef {
  email: string;
  role: Role;
}

export interface Session {
  user: SessionUser;
  organisation: { id: Id; name: string };
  csrfToken: string;
}

export interface User extends SessionUser {
  active: boolean;
  createdAt: string;
}

export const QUESTION_TYPES = ['text', 'integer', 'decimal', 'date', 'select_one', 'phone', 'conversation'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

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

export interface Survey {
  id: Id;
  name: string;
  questions: Question[];
  caseManagement: CaseManagement | null;
}

export const PROVIDERS = ['sandbox', 'twilio', 'vonage', 'whatsapp-cloud', 'africastalking'] as const;
export type Provider = (typeof PROVIDERS)[number];
export type Channel = 'sms' | 'whatsapp';

export interface MessageTemplate {
  name: string;
  language: string;
  parameters: string[];
}

export interface PhoneNumber {
  id: Id;
  provider: Provider;
  channel: Channel;
  ourNumber: string;
  surveyId: Id;
  theirNumberQuestion: string;
  conversationQuestion: string;
  multiCaseReply: string | null;
  sendRatePerSecond?: number | null;
  template?: MessageTemplate | null;
  webhooks: { inbound: string; status: string };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type CaseStatus = 'open' | 'closed';
export type Direction = 'in' | 'out';

export interface CaseSummary {
  caseNumber: number;
  surveyId: Id;
  status: CaseStatus;
  contact: string;
  numberId: Id;
  lockedBy: UserRef | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  lastMessage: { text: string; at: string; direction: Direction } | null;
}

export type MessageStatus = 'received' | 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';

export interface Message {
  id: Id;
  direction: Direction;
  text: string;
  media: { url: string; contentType: string }[];
  at: string;
  channel: Channel;
  status: MessageStatus;
  error: { code: string; message: string } | null;
  author: UserRef | null;
  reference: number | null;
}

export interface Note {
  id: Id;
  text: string;
  at: string;
  author: UserRef | null;
}

export type AnswerValue = string | number | null;

export interface CaseRecord {
  caseNumber: number;
  surveyId: Id;
  status: CaseStatus;
  contact: string;
  numberId: Id;
  channel: Channel;
  answers: Record<string, unknown>;
  lockedBy: UserRef | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  optedOut: boolean;
  windowOpen: boolean | null;
  hasOlderMessages: boolean;
  messages: Message[];
  notes: Note[];
}

export interface HistoryItem {
  id: Id;
  at: string;
  user: UserRef | null;
  action: string;
  detail: unknown;
}

export interface SimulatorMessage {
  id: Id;
  direction: Direction;
  text: string;
  at: string;
  status: MessageStatus | string;
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
