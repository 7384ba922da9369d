import { Type, type Static } from '@sinclair/typebox';
import { Nullable, OneOf, Time, listOf } from './common.js';

/** `POST /surveys/{id}/retention/run` (admin): now, or as a dry run that only counts. */
export const RetentionRunRequest = Type.Object({ dryRun: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export type RetentionRunRequest = Static<typeof RetentionRunRequest>;

/** What a retention run redacted, or a dry run would (§13 "run retention now"). */
export const RetentionCounts = Type.Object({
  cases: Type.Integer(),
  messages: Type.Integer(),
  media: Type.Integer(),
});
export type RetentionCounts = Static<typeof RetentionCounts>;

/** `GET /surveys/{id}/retention` (admin): the setting, the last run and the provider deletes still owed. */
export const RetentionStatus = Type.Object({
  closedCaseDays: Nullable(Type.Integer()),
  /** The last run, daily or run now (a dry run is not one). */
  lastRun: Nullable(Type.Intersect([Type.Object({ at: Time }), RetentionCounts])),
  nextRunAt: Nullable(Time),
  /** The provider's copies (Twilio messages, Meta media) of this organisation still to delete, and those given up on. */
  providerDeletes: Type.Object({ pending: Type.Integer(), failed: Type.Integer(), lastError: Nullable(Type.String()) }),
});
export type RetentionStatus = Static<typeof RetentionStatus>;

/** `POST /contacts/erase` (admin): one person, in every survey or in one. */
export const ErasureRequest = Type.Object(
  {
    contact: Type.String({ minLength: 1, maxLength: 64 }),
    surveyId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type ErasureRequest = Static<typeof ErasureRequest>;

/** §13 "privacy answers": what an erasure removed. */
export const ErasureCounts = Type.Object({
  records: Type.Integer(),
  messages: Type.Integer(),
  media: Type.Integer(),
});
export type ErasureCounts = Static<typeof ErasureCounts>;

/** `GET /contacts/export?contact=` (admin): a ZIP of `contact.json` and `media/<id>-<name>`. */
export const ContactExportQuery = Type.Object(
  {
    contact: Type.String({ minLength: 1, maxLength: 64 }),
    surveyId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type ContactExportQuery = Static<typeof ContactExportQuery>;

export const PRIVACY_ACTIONS = ['erasure', 'export', 'retention', 'case-export'] as const;

/** One entry of the privacy audit trail: who did what, when and how much; never whom it was about. */
export const PrivacyAuditEntry = Type.Object({
  id: Type.String(),
  at: Time,
  action: OneOf(PRIVACY_ACTIONS),
  /** Null for the daily retention job. */
  userId: Nullable(Type.String()),
  userName: Nullable(Type.String()),
  surveyId: Nullable(Type.String()),
  counts: Type.Record(Type.String(), Type.Union([Type.Integer(), Type.Boolean()])),
});
export type PrivacyAuditEntry = Static<typeof PrivacyAuditEntry>;

export const PrivacyAuditPage = listOf(PrivacyAuditEntry);
export type PrivacyAuditPage = Static<typeof PrivacyAuditPage>;

/** `GET /audit/privacy` (admin): newest first. */
export const PrivacyAuditQuery = Type.Object(
  {
    action: Type.Optional(OneOf(PRIVACY_ACTIONS)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type PrivacyAuditQuery = Static<typeof PrivacyAuditQuery>;
