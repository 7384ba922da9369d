/**
 * The summary report's arithmetic (DESIGN.md §10; definitions in docs/reports.md): the
 * figures of each bucket (./report-buckets.ts) from counts per quarter hour and per-case
 * durations. Pure: the service reads the rows and hands them here.
 */

export const REPORT_BUCKETS = ['day', 'week', 'month'] as const;
export type ReportBucket = (typeof REPORT_BUCKETS)[number];

/** The median and 90th percentile (interpolated between neighbours) of a group's durations, in milliseconds. */
export interface DurationSpread {
  group: string;
  median: number | null;
  p90: number | null;
}

/** The counts of one quarter hour (UTC) over the report's scope. */
export interface SlotCounts {
  slot: number;
  inbound: number;
  outbound: number;
  newCases: number;
  closedCases: number;
  /** Cases created, less those closed, plus those reopened, whoever did it. */
  backlogChange: number;
}

export interface WorkerCounts {
  userId: string;
  replies: number;
  closedCases: number;
}

export interface BucketSpan {
  /** The bucket's first day in the report's zone, `YYYY-MM-DD` (the range's start when it cuts a week or month). */
  start: string;
  startAt: number;
  endAt: number;
}

export interface SummaryInput {
  buckets: BucketSpan[];
  /** Cases open at the range's start: created, less closed, plus reopened, before it. */
  backlogAtStart: number;
  slots: SlotCounts[];
  /** First responses per bucket (the group is the bucket's index). */
  firstResponses: DurationSpread[];
  /** Times to close per bucket. */
  closes: DurationSpread[];
  /** First responses per worker (the group is the user's id), over the whole range. */
  workerResponses: DurationSpread[];
  workers: WorkerCounts[];
  /** Each worker's name, for those in `workers` and `workerResponses`. */
  names: ReadonlyMap<string, string>;
}

interface Spread {
  median: number | null;
  p90: number | null;
}

export interface SummaryBucket {
  start: string;
  inbound: number;
  outbound: number;
  newCases: number;
  closedCases: number;
  backlog: number;
  firstResponseSeconds: Spread;
  timeToCloseSeconds: Spread;
}

export interface SummaryWorker {
  userId: string;
  name: string;
  replies: number;
  closedCases: number;
  firstResponseSeconds: { median: number | null };
}

export interface Summary {
  buckets: SummaryBucket[];
  workers: SummaryWorker[];
}

/** The index of the bucket holding `at`, or -1 outside the range. */
function bucketOf(buckets: readonly BucketSpan[], at: number): number {
  let low = 0;
  let high = buckets.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const span = buckets[mid]!;
    if (at < span.startAt) high = mid - 1;
    else if (at >= span.endAt) low = mid + 1;
    else return mid;
  }
  return -1;
}

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms) / 1000);

const byGroup = (spreads: readonly DurationSpread[]) => new Map(spreads.map((spread) => [spread.group, spread]));

function spread(group: DurationSpread | undefined): Spread {
  return { median: seconds(group?.median ?? null), p90: seconds(group?.p90 ?? null) };
}

export function summarise(input: SummaryInput): Summary {
  const rows = input.buckets.map(() => ({ inbound: 0, outbound: 0, newCases: 0, closedCases: 0, opened: 0 }));
  for (const slot of input.slots) {
    const row = rows[bucketOf(input.buckets, slot.slot)];
    if (!row) continue;
    row.inbound += slot.inbound;
    row.outbound += slot.outbound;
    row.newCases += slot.newCases;
    row.closedCases += slot.closedCases;
    row.opened += slot.backlogChange;
  }
  const responses = byGroup(input.firstResponses);
  const closes = byGroup(input.closes);
  const byWorker = byGroup(input.workerResponses);

  let backlog = input.backlogAtStart;
  const buckets = input.buckets.map((span, i): SummaryBucket => {
    const row = rows[i]!;
    backlog += row.opened;
    return {
      start: span.start,
      inbound: row.inbound,
      outbound: row.outbound,
      newCases: row.newCases,
      closedCases: row.closedCases,
      backlog,
      firstResponseSeconds: spread(responses.get(String(i))),
      timeToCloseSeconds: spread(closes.get(String(i))),
    };
  });

  const workerIds = new Set([...input.workers.map((w) => w.userId), ...byWorker.keys()]);
  const known = new Map(input.workers.map((w) => [w.userId, w]));
  const workers = [...workerIds].map((userId): SummaryWorker => {
    const counts = known.get(userId);
    return {
      userId,
      name: input.names.get(userId) ?? '',
      replies: counts?.replies ?? 0,
      closedCases: counts?.closedCases ?? 0,
      firstResponseSeconds: { median: seconds(byWorker.get(userId)?.median ?? null) },
    };
  });
  workers.sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
  return { buckets, workers };
}
