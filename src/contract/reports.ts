import { Type, type Static } from '@sinclair/typebox';
import { REPORT_BUCKETS } from '../domain/report-summary.js';
import { Id, Nullable, OneOf } from './common.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A date YYYY-MM-DD in `tz`' });

/**
 * `GET /reports/summary` (DESIGN.md §10; definitions in docs/reports.md). Without
 * `surveyId`, every survey of the organisation. `numberId` narrows every figure to one
 * number; `userId` narrows the figures that belong to a worker (outbound messages, closed
 * cases, first responses, the workers list) to that worker.
 */
export const SummaryQuery = Type.Object(
  {
    surveyId: Type.Optional(Id),
    numberId: Type.Optional(Id),
    userId: Type.Optional(Id),
    /** Days in `tz`, both included. */
    from: Day,
    to: Day,
    bucket: Type.Optional(OneOf(REPORT_BUCKETS)),
    /** An IANA time zone; UTC when not given. */
    tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type SummaryQuery = Static<typeof SummaryQuery>;

/** Seconds; null when the bucket has no such durations. */
const Seconds = Nullable(Type.Number());

export const SummaryBucket = Type.Object({
  /** The bucket's first day in `tz` (the range's first day when the range cuts a week or month). */
  start: Type.String(),
  inbound: Type.Integer(),
  outbound: Type.Integer(),
  newCases: Type.Integer(),
  closedCases: Type.Integer(),
  /** Cases open at the bucket's end. */
  backlog: Type.Integer(),
  firstResponseSeconds: Type.Object({ median: Seconds, p90: Seconds }),
  timeToCloseSeconds: Type.Object({ median: Seconds, p90: Seconds }),
});
export type SummaryBucket = Static<typeof SummaryBucket>;

export const SummaryWorker = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  replies: Type.Integer(),
  closedCases: Type.Integer(),
  firstResponseSeconds: Type.Object({ median: Seconds }),
});
export type SummaryWorker = Static<typeof SummaryWorker>;

export const SummaryReport = Type.Object({
  buckets: Type.Array(SummaryBucket),
  workers: Type.Array(SummaryWorker),
});
export type SummaryReport = Static<typeof SummaryReport>;
