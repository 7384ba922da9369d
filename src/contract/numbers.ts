import { Type, type Static } from '@sinclair/typebox';
import { CHANNELS, PROVIDER_NAMES } from '../domain/providers.js';
import { Id, Nullable, OneOf, Time } from './common.js';

export const Provider = OneOf(PROVIDER_NAMES);
export type Provider = Static<typeof Provider>;
export const Channel = OneOf(CHANNELS);
export type Channel = Static<typeof Channel>;

/** A WhatsApp template configured on a number (rule 12). */
export const Template = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 512 }),
  language: Type.String({ minLength: 2, maxLength: 20 }),
  parameters: Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 20 }),
});
export type Template = Static<typeof Template>;

/**
 * A message template of a number's library (DESIGN.md §13, "a template"): `body` holds
 * `{{1}}`, `{{2}}`…; `parameters` names or gives examples of them, in order.
 */
export const MessageTemplate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 512 }),
    language: Type.String({ minLength: 2, maxLength: 20 }),
    body: Type.String({ maxLength: 4096 }),
    parameters: Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type MessageTemplate = Static<typeof MessageTemplate>;

/**
 * A text sent once when an inbound message creates a case (DESIGN.md §8); `{case}` is the case number.
 * Only a survey with case management acknowledges: without it every message is a record and would get one.
 */
export const Acknowledgement = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 1600 }),
    /** Sent instead outside the survey's business hours; null sends `text` at all hours. */
    outOfHoursText: Nullable(Type.String({ minLength: 1, maxLength: 1600 })),
  },
  { additionalProperties: false },
);
export type Acknowledgement = Static<typeof Acknowledgement>;

export const NumberView = Type.Object({
  id: Type.String(),
  provider: Provider,
  channel: Channel,
  ourNumber: Type.String(),
  surveyId: Type.String(),
  theirNumberQuestion: Type.String(),
  conversationQuestion: Type.String(),
  multiCaseReply: Nullable(Type.String()),
  acknowledgement: Nullable(Acknowledgement),
  sendRatePerSecond: Type.Number(),
  template: Nullable(Template),
  /** The number's template library (rule 12); `template` above is its first entry in part one's shape. */
  templates: Type.Array(MessageTemplate),
  /** Admins only; null for analysts and viewers, because the path holds the number's webhook secret. */
  webhooks: Nullable(Type.Object({ inbound: Type.String(), status: Type.String() })),
  /** Admins only (else null): true while the webhook path is still the number's id, visible to every user; rotate it. */
  webhookTokenIsId: Nullable(Type.Boolean()),
  /** Africa's Talking numbers, admins only (else null): addresses and CIDR ranges webhooks may come from; empty allows any. */
  allowedIps: Nullable(Type.Array(Type.String())),
  /** Set while archived: the number neither receives nor sends until restored. */
  archivedAt: Nullable(Time),
});
export type NumberView = Static<typeof NumberView>;

export const NumberListQuery = Type.Object({
  /** true lists archived numbers only (admins). */
  archived: Type.Optional(Type.Boolean()),
});
export type NumberListQuery = Static<typeof NumberListQuery>;

export const NumberCreate = Type.Object(
  {
    provider: Provider,
    channel: Channel,
    ourNumber: Type.String({ minLength: 3, maxLength: 40 }),
    surveyId: Id,
    theirNumberQuestion: Type.String({ minLength: 1 }),
    conversationQuestion: Type.String({ minLength: 1 }),
    multiCaseReply: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    acknowledgement: Type.Optional(Nullable(Acknowledgement)),
    /** Sends per second on this number; null or absent means the default, 1. */
    sendRatePerSecond: Type.Optional(Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 1000 }))),
    template: Type.Optional(Nullable(Template)),
    templates: Type.Optional(Type.Array(MessageTemplate, { maxItems: 200 })),
    credentials: Type.Optional(Type.Record(Type.String(), Type.Any())),
    /** Africa's Talking only: addresses or CIDR ranges its webhooks may come from; null or [] allows any. */
    // Null first: with type coercion on, the array branch would turn null into [""].
    allowedIps: Type.Optional(Type.Union([Type.Null(), Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 })])),
  },
  { additionalProperties: false },
);
export type NumberCreate = Static<typeof NumberCreate>;
export const NumberPatch = Type.Partial(NumberCreate, { additionalProperties: false });
export type NumberPatch = Static<typeof NumberPatch>;
