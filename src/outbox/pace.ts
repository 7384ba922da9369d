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
