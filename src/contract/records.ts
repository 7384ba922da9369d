import { Type, type Static } from '@sinclair/typebox';
import { MEDIA_STATUSES } from '../domain/media.js';
import { DIRECTIONS, MESSAGE_STATUSES } from '../domain/message-status.js';
import { CHANNELS } from '../domain/providers.js';
import { CASE_STATUSES } from '../domain/survey.js';
import { CaseNumber, Id, Nullable, OneOf, Person, StringEnum, Time } from './common.js';

/** A media item of a message (DESIGN.md §6): `url` is `/api/v1/media/{id}`, readable once `status` is `stored`. */
export const Media = Type.Object({
  id: Type.String(),
  contentType: Nullable(Type.String()),
  size: Nullable(Type.Integer()),
  name: Nullable(Type.String()),
  status: StringEnum(MEDIA_STATUSES),
  url: Type.String(),
  error: Nullable(Type.Object({ code: Nullable(Type.String()), message: Type.String() })),
});
export type Media = Static<typeof Media>;
/** `POST /media` answers 201 with the upload, to be named in a message's `media`. */
export const MediaUpload = Type.Object({
  id: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  name: Nullable(Type.String()),
});
export type MediaUpload = Static<typeof MediaUpload>;
const MediaIds = Type.Array(Id, { minItems: 1, maxItems: 10 });
export const Message = Type.Object({
  id: Type.String(),
  direction: OneOf(DIRECTIONS),
  text: Type.String(),
  media: Type.Array(Media),
  at: Time,
  channel: StringEnum(CHANNELS),
  status: StringEnum(MESSAGE_STATUSES),
  error: Nullable(Type.Object({ code: Nullable(Type.String()), message: Type.String() })),
  author: Nullable(Person),
  /** Written by the system (acknowledgement, out-of-hours, closing text, multi-case reply); it answers no one. */
  automatic: Type.Boolean(),
  /** The case number an outbound message carries at its end (` #n`). */
  reference: Nullable(Type.Integer()),
});
export type Message = Static<typeof Message>;
export const Note = Type.Object({ id: Type.String(), text: Type.String(), at: Time, author: Nullable(Person) });
export type Note = Static<typeof Note>;

/** Text, a number, null, or for `select_multiple` an array of its choice values (DESIGN.md §13). */
const AnswerValue = Type.Union([
  Type.String({ maxLength: 10_000 }),
  Type.Number(),
  Type.Array(Type.String({ maxLength: 200 }), { maxItems: 500 }),
  Type.Null(),
]);
export type AnswerValue = Static<typeof AnswerValue>;
export const Answers = Type.Record(Type.String(), AnswerValue);
/**
 * The same values as a request takes them: one `type` list rather than a union, because the
 * server coerces a one-item array to a scalar (`coerceTypes: 'array'`) in a union's first
 * branch, while a value of any listed type is never coerced.
 */
const AnswerValueInput = Type.Unsafe<AnswerValue>({
  type: ['string', 'number', 'array', 'null'],
  maxLength: 10_000,
  items: Type.String({ maxLength: 200 }),
  maxItems: 500,
});
const AnswersInput = Type.Record(Type.String(), AnswerValueInput);
export type Answers = Static<typeof Answers>;
/** Raised by every change to a record's answers or status (DESIGN.md §13 "stale writes"). */
export const RecordVersion = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
const CaseStatus = OneOf(CASE_STATUSES);

/** What a case and its line in a list share. */
const caseIdentity = {
  caseNumber: Type.Integer(),
  surveyId: Type.String(),
  status: CaseStatus,
  version: RecordVersion,
  contact: Nullable(Type.String()),
  numberId: Nullable(Type.String()),
};
const caseTimes = {
  createdAt: Time,
  updatedAt: Time,
  closedAt: Nullable(Time),
  /** When retention or an erasure emptied the case (DESIGN.md §9): it keeps its number, survey, times, status and messages' count only. */
  redactedAt: Nullable(Time),
};

/** A label on a case (DESIGN.md §13, "labels on records"). */
export const Label = Type.Object({ id: Type.String(), name: Type.String(), color: Type.String() });
export type Label = Static<typeof Label>;
/** What the queue reads (DESIGN.md §7): since when an open case has waited for a person's answer, and its labels. */
const caseQueue = {
  /** The first inbound message no person has answered since; null when answered, and on a closed case. */
  waitingSince: Nullable(Time),
  labels: Type.Array(Label),
};

export const RecordView = Type.Object({
  ...caseIdentity,
  channel: Nullable(StringEnum(CHANNELS)),
  answers: Answers,
  lockedBy: Nullable(Person),
  ...caseTimes,
  ...caseQueue,
  optedOut: Type.Boolean(),
  /** Whether free text can reach the contact on WhatsApp now; null on SMS. */
  windowOpen: Nullable(Type.Boolean()),
  /** When WhatsApp's 24-hour window closes (24 hours after the last inbound message); null on SMS or with no inbound message. */
  windowClosesAt: Nullable(Time),
  hasOlderMessages: Type.Boolean(),
  messages: Type.Array(Message),
  notes: Type.Array(Note),
});
export type RecordView = Static<typeof RecordView>;
export const RecordSummary = Type.Object({
  ...caseIdentity,
  lockedBy: Nullable(Person),
  ...caseTimes,
  ...caseQueue,
  lastMessage: Nullable(Type.Object({ text: Type.String(), at: Time, direction: OneOf(DIRECTIONS) })),
});
export type RecordSummary = Static<typeof RecordSummary>;
export const RecordQuery = Type.Object({
  status: Type.Optional(OneOf([...CASE_STATUSES, 'all'])),
  assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  contact: Type.Optional(Type.String({ maxLength: 40 })),
  /** The cases of case n's contact: the person's other cases, found also by a reader who sees contacts masked. */
  sameContactAs: Type.Optional(CaseNumber),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  /** true: open cases waiting for an answer only. */
  waiting: Type.Optional(Type.Boolean()),
  /** `activity` (default): newest activity first; `waiting`: longest waiting first (open, waiting cases only). */
  sort: Type.Optional(OneOf(['activity', 'waiting'])),
  /** A label's id: cases carrying it. */
  label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type RecordQuery = Static<typeof RecordQuery>;
/**
 * `GET /surveys/{id}/queue`: the open cases waiting for an answer, those nobody holds, and
 * mine. Each count stops at `limit`: a count equal to it means that many or more ("1000+").
 */
export const QueueCounts = Type.Object({
  waiting: Type.Integer(),
  unassigned: Type.Integer(),
  mine: Type.Integer(),
  limit: Type.Integer(),
});
export type QueueCounts = Static<typeof QueueCounts>;
export const HistoryEntry = Type.Object({
  id: Type.Integer(),
  at: Time,
  user: Nullable(Person),
  action: Type.String(),
  detail: Type.Record(Type.String(), Type.Any()),
});
export type HistoryEntry = Static<typeof HistoryEntry>;

/** `GET /records/{n}/messages?before=`: older messages of a long conversation. */
export const OlderMessagesQuery = Type.Object({ before: Type.String({ minLength: 1, maxLength: 100 }) });
export const MessagePage = Type.Object({ items: Type.Array(Message), hasMore: Type.Boolean() });
export type MessagePage = Static<typeof MessagePage>;

export const AnswersPatch = Type.Object({ answers: AnswersInput, version: Type.Optional(RecordVersion) }, { additionalProperties: false });
export type AnswersPatch = Static<typeof AnswersPatch>;
/** Close and reopen: `{version}` names the reading of the case the action was based on. */
export const StatusChange = Type.Object(
  { version: Type.Optional(RecordVersion) },
  { additionalProperties: false, description: 'Optional: a request without a body is the same as {}' },
);
/**
 * A template of the number's library chosen for sending (rule 12): `parameters` are the
 * values of `{{1}}`, `{{2}}`… in order.
 */
export const TemplateChoice = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 512 }),
    language: Type.String({ minLength: 2, maxLength: 20 }),
    parameters: Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type TemplateChoice = Static<typeof TemplateChoice>;
export const Notification = Type.Object(
  {
    target: Type.Literal('conversation'),
    text: Type.String({ maxLength: 5000 }),
    /**
     * Send a template instead of free text (allowed outside WhatsApp's 24-hour window):
     * `true` sends the number's first template as part one did; an object names one of the
     * number's templates and fills its parameters.
     */
    template: Type.Optional(Type.Union([Type.Boolean(), TemplateChoice])),
    /**
     * Uploads (`POST /media`) to send with the text, which may then be empty (DESIGN.md §6).
     * Checked against the number's provider before queueing: 422 `media_not_supported`,
     * `too_many_media`, `media_type_not_supported` or `media_too_large`; another
     * organisation's upload is 404. Not with a template.
     */
    media: Type.Optional(MediaIds),
  },
  { additionalProperties: false },
);
export type Notification = Static<typeof Notification>;
export const MoveMessage = Type.Object(
  {
    comment: Type.Optional(Type.String({ maxLength: 10_000 })),
    /** An open case of the same contact and survey to move the message into; without it, a new case (rule 9). */
    toCase: Type.Optional(CaseNumber),
  },
  { additionalProperties: false },
);
export type MoveMessage = Static<typeof MoveMessage>;
/** `POST /records/{n}/assign`: give the case (its lock) to a colleague, or release it with null. */
export const Assign = Type.Object({ userId: Nullable(Id) }, { additionalProperties: false });
export type Assign = Static<typeof Assign>;
/** `POST /records/{n}/merge`: every message and note of n joins `into`, and n is closed. */
export const Merge = Type.Object({ into: CaseNumber }, { additionalProperties: false });
export type Merge = Static<typeof Merge>;
/** `PUT /records/{n}/labels`. */
export const RecordLabels = Type.Object({ labelIds: Type.Array(Id, { maxItems: 50 }) }, { additionalProperties: false });
export type RecordLabels = Static<typeof RecordLabels>;
/** `POST /surveys/{id}/records`: write first — a new case, locked by the caller, and its first message. */
export const RecordCreate = Type.Object(
  {
    numberId: Id,
    contact: Type.String({ minLength: 3, maxLength: 40 }),
    /** Required unless a template is sent or files are attached; with a template, the filled template is the message's text. */
    text: Type.Optional(Type.String({ maxLength: 5000 })),
    template: Type.Optional(TemplateChoice),
    media: Type.Optional(MediaIds),
  },
  { additionalProperties: false },
);
export type RecordCreate = Static<typeof RecordCreate>;
export const NoteCreate = Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false });
