/**
 * The per-number send pace, shared by every server process through the number's
 * `next_send_at`: a claim hands each row a start time one interval after the last, and
 * takes only rows that may start within `horizon`, leaving the rest for later claims.
 */
export interface PacePlan<T> {
  /** Rows to claim now, each with the time its send may start. */
  slots: Array<{ row: T; startAt: number }>;
  /** The number's next free start time after these sends. */
  nextSendAt: number;
}

export function planSends<T>(
  rows: readonly T[],
  pace: { now: number; horizonMs: number; nextSendAt: number; ratePerSecond: number },
): PacePlan<T> {
  const interval = 1000 / Math.max(pace.ratePerSecond, 0.001);
  let startAt = Math.max(pace.now, pace.nextSendAt);
  const slots: PacePlan<T>['slots'] = [];
  for (const row of rows) {
    if (startAt > pace.now + pace.horizonMs) break;
    slots.push({ row, startAt });
    startAt += interval;
  }
  return { slots, nextSendAt: slots.length > 0 ? startAt : pace.nextSendAt };
}

/** How late a send may start after its slot, at least, before it is booked again. */
export const LATE_TOLERANCE_MS = 50;

export type StartDecision = { kind: 'start'; waitMs: number } | { kind: 'rebook' };

/**
 * When a claimed send may start: at its booked slot, and never sooner than one interval
 * after this worker's previous start on the number (a worker that woke late must not catch
 * up in a burst). A send that could only start later than its slot by half an interval or
 * `LATE_TOLERANCE_MS` (a busy machine, a slow timer, an earlier send to the same person
 * still out) is booked again instead: starting it would crowd the slots after it, which
 * another process may hold.
 */
export function startDecision(pace: {
  now: number;
  slot: number;
  previousStart: number | undefined;
  ratePerSecond: number;
}): StartDecision {
  const interval = 1000 / Math.max(pace.ratePerSecond, 0.001);
  const earliest = Math.max(pace.slot, (pace.previousStart ?? -Infinity) + interval);
  const start = Math.max(earliest, pace.now);
  if (start - pace.slot > Math.max(interval / 2, LATE_TOLERANCE_MS)) return { kind: 'rebook' };
  return { kind: 'start', waitMs: start - pace.now };
}
