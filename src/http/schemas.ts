import { Type, type TSchema } from '@sinclair/typebox';

/** TypeBox schemas of the public API (DESIGN.md §4), shared by routes and the OpenAPI document. */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Id = Type.String({ minLength: 1, maxLength: 100 });
const Time = Type.String({ format: 'date-time' });
const Person = Type.Object({ id: Type.String(), name: Type.String() });

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Any()) }),
  },
  { $id: 'Error' },
);

export const CaseNumberParams = Type.Object({ caseNumber: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
export const IdParams = Type.Object({ id: Id });
export const MessageParams = Type.Object({
  caseNumber: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  messageId: Id,
});

export const Choice = Type.Object({ value: Type.String({ minLength: 1, maxLength: 200 }), label: Type.String({ maxLength: 500 }) });
export const Question = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64 }),
  label: Type.String({ maxLength: 500 }),
  type: Type.Union(['text', 'integer', 'decimal', 'date', 'select_one', 'phone', 'conversation'].map((t) => Type.Literal(t))),
  choices: Type.Optional(Type.Array(Choice, { maxItems: 500 })),
});
export const CaseManagement = Type.Object({
  statusQuestion: Type.String({ minLength: 1 }),
  finalStatus: Type.String({ minLength: 1 }),
});
export const Survey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  questions: Type.Array(Question),
  caseManagement: Nullable(CaseManagement),
});
export const SurveyCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    questions: Type.Array(Question, { maxItems: 500 }),
    caseManagement: Type.Optional(Nullable(CaseManagement)),
  },
  { additionalProperties: false },
);
export const SurveyPatch = Type.Partial(SurveyCreate, { additionalProperties: false });

const Provider = Type.Union(['sandbox', 'twilio', 'vonage', 'whatsapp-cloud', 'africastalking'].map((p) => Type.Literal(p)));
const Channel = Type.Union([Type.Literal('sms'), Type.Literal('whatsapp')]);
export const Template = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 512 }),
  language: Type.String({ minLength: 2, maxLength: 20 }),
  parameters: Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 20 }),
});
export const NumberView = Type.Object({
  id: Type.String(),
  provider: Provider,
  channel: Channel,
  ourNumber: Type.String(),
  surveyId: Type.String(),
  theirNumberQuestion: Type.String(),
  conversationQuestion: Type.String(),
  multiCaseReply: Nullable(Type.String()),
  sendRatePerSecond: Type.Number(),
  template: Nullable(Template),
  /** Admins only; null for analysts and viewers, because the path holds the number's webhook secret. */
  webhooks: Nullable(Type.Object({ inbound: Type.String(), status: Type.String() })),
  /** Admins only (else null): true while the webhook path is still the number's id, visible to every user; rotate it. */
  webhookTokenIsId: Nullable(Type.Boolean()),
  /** Africa's Talking numbers, admins only (else null): addresses and CIDR ranges webhooks may come from; empty allows any. */
  allowedIps: Nullable(Type.Array(Type.String())),
  /** Set while archived: the number neither receives nor sends until restored. */
  archivedAt: Nullable(Time),
});
export const NumberListQuery = Type.Object({
  /** true lists archived numbers only (admins). */
  archived: Type.Optional(Type.Boolean()),
});
export const NumberCreate = Type.Object(
  {
    provider: Provider,
    channel: Channel,
    ourNumber: Type.String({ minLength: 3, maxLength: 40 }),
    surveyId: Id,
    theirNumberQuestion: Type.String({ minLength: 1 }),
    conversationQuestion: Type.String({ minLength: 1 }),
    multiCaseReply: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    /** Sends per second on this number; null or absent means the default, 1. */
    sendRatePerSecond: Type.Optional(Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 1000 }))),
    template: Type.Optional(Nullable(Template)),
    credentials: Type.Optional(Type.Record(Type.String(), Type.Any())),
    /** Africa's Talking only: addresses or CIDR ranges its webhooks may come from; null or [] allows any. */
    // Null first: with type coercion on, the array branch would turn null into [""].
    allowedIps: Type.Optional(Type.Union([Type.Null(), Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 })])),
  },
  { additionalProperties: false },
);
export const NumberPatch = Type.Partial(NumberCreate, { additionalProperties: false });

const Role = Type.Union([Type.Literal('admin'), Type.Literal('analyst'), Type.Literal('viewer')]);
export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Role,
  active: Type.Boolean(),
  createdAt: Time,
});
export const UserCreate = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    name: Type.String({ maxLength: 200 }),
    role: Role,
    password: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export const UserPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(Role),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const Session = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), role: Role }),
  organisation: Type.Object({ id: Type.String(), name: Type.String() }),
  csrfToken: Type.String(),
});
export const Login = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 1000 }),
});
/** `PATCH /users/me`: a new password needs the current one (DESIGN.md §13, "my password"). */
export const MyAccountPatch = Type.Object(
  {
    password: Type.String({ minLength: 1, maxLength: 1000 }),
    currentPassword: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export const ApiTokenCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    // Not nullable: with type coercion on, a 0 would quietly become null (no expiry).
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export const ApiTokenCreated = Type.Object({ id: Type.String(), token: Type.String() });
export const ApiToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Time,
  lastUsedAt: Nullable(Time),
  expiresAt: Nullable(Time),
});

const Media = Type.Object({ url: Type.String(), contentType: Nullable(Type.String()) });
export const Message = Type.Object({
  id: Type.String(),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  text: Type.String(),
  media: Type.Array(Media),
  at: Time,
  channel: Type.String(),
  status: Type.String(),
  error: Nullable(Type.Object({ code: Nullable(Type.String()), message: Type.String() })),
  author: Nullable(Person),
  reference: Nullable(Type.Integer()),
});
export const Note = Type.Object({ id: Type.String(), text: Type.String(), at: Time, author: Nullable(Person) });
const AnswerValue = Type.Union([Type.String({ maxLength: 10_000 }), Type.Number(), Type.Null()]);
export const Answers = Type.Record(Type.String(), AnswerValue);
/** Raised by every change to a record's answers or status (DESIGN.md §13 "stale writes"). */
export const RecordVersion = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
export const RecordView = Type.Object({
  caseNumber: Type.Integer(),
  surveyId: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  version: RecordVersion,
  contact: Nullable(Type.String()),
  numberId: Nullable(Type.String()),
  channel: Nullable(Type.String()),
  answers: Answers,
  lockedBy: Nullable(Person),
  createdAt: Time,
  updatedAt: Time,
  closedAt: Nullable(Time),
  optedOut: Type.Boolean(),
  windowOpen: Nullable(Type.Boolean()),
  hasOlderMessages: Type.Boolean(),
  messages: Type.Array(Message),
  notes: Type.Array(Note),
});
export const RecordSummary = Type.Object({
  caseNumber: Type.Integer(),
  surveyId: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  version: RecordVersion,
  contact: Nullable(Type.String()),
  numberId: Nullable(Type.String()),
  lockedBy: Nullable(Person),
  createdAt: Time,
  updatedAt: Time,
  closedAt: Nullable(Time),
  lastMessage: Nullable(Type.Object({ text: Type.String(), at: Time, direction: Type.Union([Type.Literal('in'), Type.Literal('out')]) })),
});
export const RecordQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('all')])),
  assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  contact: Type.Optional(Type.String({ maxLength: 40 })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export const HistoryEntry = Type.Object({
  id: Type.Integer(),
  at: Time,
  user: Nullable(Person),
  action: Type.String(),
  detail: Type.Record(Type.String(), Type.Any()),
});
export const Notification = Type.Object(
  {
    target: Type.Literal('conversation'),
    text: Type.String({ maxLength: 5000 }),
    template: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const listOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });
export const errorResponses = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
