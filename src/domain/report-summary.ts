/**
 * The summary report's arithmetic (DESIGN.md §10; definitions in docs/reports.md): the
 * figures of each bucket (./report-buckets.ts) from counts per quarter hour and per-case
 * durations. Pure: the service reads the rows and hands them here.
 */

export const REPORT_BUCKETS = ['day', 'week', 'month'] as const;
export type ReportBucket = (typeof REPORT_BUCKETS)[number];

/** The value below which `p` (0..1) of the values lie, interpolated between neighbours; null when there are none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * p;
  const below = Math.floor(rank);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (rank - below);
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

export interface FirstResponse {
  at: number;
  ms: number;
  by: string | null;
}

export interface Close {
  at: number;
  ms: number;
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
  firstResponses: FirstResponse[];
  closes: Close[];
  workers: WorkerCounts[];
  /** Each worker's name, for those in `workers` and `firstResponses`. */
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

function spread(values: number[]): Spread {
  values.sort((a, b) => a - b);
  return { median: seconds(percentile(values, 0.5)), p90: seconds(percentile(values, 0.9)) };
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
  const responses = input.buckets.map((): number[] => []);
  const byWorker = new Map<string, number[]>();
  for (const response of input.firstResponses) {
    responses[bucketOf(input.buckets, response.at)]?.push(response.ms);
    if (response.by === null) continue;
    const times = byWorker.get(response.by);
    if (times) times.push(response.ms);
    else byWorker.set(response.by, [response.ms]);
  }
  const closes = input.buckets.map((): number[] => []);
  for (const close of input.closes) closes[bucketOf(input.buckets, close.at)]?.push(close.ms);

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
      firstResponseSeconds: spread(responses[i]!),
      timeToCloseSeconds: spread(closes[i]!),
    };
  });

  const workerIds = new Set([...input.workers.map((w) => w.userId), ...byWorker.keys()]);
  const known = new Map(input.workers.map((w) => [w.userId, w]));
  const workers = [...workerIds].map((userId): SummaryWorker => {
    const counts = known.get(userId);
    const times = (byWorker.get(userId) ?? []).sort((a, b) => a - b);
    return {
      userId,
      name: input.names.get(userId) ?? '',
      replies: counts?.replies ?? 0,
      closedCases: counts?.closedCases ?? 0,
      firstResponseSeconds: { median: seconds(percentile(times, 0.5)) },
    };
  });
  workers.sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
  return { buckets, workers };
}
