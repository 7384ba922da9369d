import { Type, type Static } from '@sinclair/typebox';
import { OneOf } from './common.js';

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A date YYYY-MM-DD in `tz`' });

/** `GET /surveys/{id}/export` (admins and analysts, DESIGN.md §10 "Export"): one row per case. */
export const ExportQuery = Type.Object(
  {
    format: OneOf(EXPORT_FORMATS),
    status: Type.Optional(OneOf(['open', 'closed', 'all'] as const)),
    /** On the case's creation day in `tz`; `to` is included. */
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    /** An IANA time zone; UTC when not given. */
    tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** A comma list of `answers` (the default), `transcript`, `notes`. */
    include: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuery>;
