import { Type, type Static } from '@sinclair/typebox';
import { CaseNumber, Nullable, OneOf, Time, listOf } from './common.js';

/** What an access-log entry records a read of (DESIGN.md §9 "Access log"). */
export const ACCESS_KINDS = ['record', 'media', 'export'] as const;

/**
 * One read of personal data by a user (§13 "privacy answers"): who, when, which case and
 * what kind of read; never a search term, a query string or a contact's number.
 */
export const AccessEntry = Type.Object({
  at: Time,
  userId: Type.String(),
  /** Null only when the user no longer exists. */
  userName: Nullable(Type.String()),
  /** Null for a media item that belongs to no case (an upload not yet sent) or an export of no case. */
  caseNumber: Nullable(Type.Integer()),
  kind: OneOf(ACCESS_KINDS),
});
export type AccessEntry = Static<typeof AccessEntry>;

export const AccessLogPage = listOf(AccessEntry);
export type AccessLogPage = Static<typeof AccessLogPage>;

/** `GET /audit/access` (admin): newest first; `from` inclusive, `to` exclusive. */
export const AccessLogQuery = Type.Object(
  {
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    caseNumber: Type.Optional(CaseNumber),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type AccessLogQuery = Static<typeof AccessLogQuery>;
