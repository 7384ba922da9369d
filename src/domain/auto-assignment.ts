/**
 * Auto-assignment (DESIGN.md §7), decided over plain data: who may take cases and how
 * many they hold in; which case goes to whom out. The caller loads the candidates under the
 * organisation's assignment lock, so no other process decides for the same people at the
 * same time, then writes what this returns.
 */
export interface AssignmentCandidate {
  userId: string;
  /** Open cases the user holds (locked_by = them), in any survey of the organisation. */
  openCases: number;
  /** Open cases auto-assignment may give them in all. */
  capacity: number;
  /** When they last got a case they still hold open (its `locked_at`); null when they hold none. */
  lastAssignedAt: number | null;
}

/** A case to give out, in priority order; `notFor` names users it must not go to (the one who just released it). */
export interface CaseToAssign {
  id: string;
  notFor?: readonly string[];
}

export interface PlannedAssignment {
  caseId: string;
  userId: string;
}

/**
 * Who gets the next case: the candidate with room (open cases below capacity) holding the
 * fewest; among equals the one whose newest case is oldest (holding none counts as oldest),
 * then the smaller user id, so the choice never depends on the order candidates were read in.
 */
export function chooseAssignee(candidates: readonly AssignmentCandidate[], notFor: readonly string[] = []): string | null {
  let best: AssignmentCandidate | null = null;
  for (const candidate of candidates) {
    if (candidate.openCases >= candidate.capacity || notFor.includes(candidate.userId)) continue;
    if (best === null || ranksBefore(candidate, best)) best = candidate;
  }
  return best?.userId ?? null;
}

/**
 * Gives `cases`, in order, one at a time to `chooseAssignee`'s choice, counting each case
 * given towards its new holder's open cases before the next is decided. A case nobody has
 * room for stays unassigned (it is left out of the result). `now` marks a case given here as
 * the newest its holder got.
 */
export function planAssignments(
  candidates: readonly AssignmentCandidate[],
  cases: readonly CaseToAssign[],
  now: number,
): PlannedAssignment[] {
  const pool = candidates.map((c) => ({ ...c }));
  const planned: PlannedAssignment[] = [];
  // Cases given in this plan rank by the order they were given, after every earlier one.
  let stamp = Math.max(now, ...pool.map((c) => c.lastAssignedAt ?? -Infinity));
  for (const c of cases) {
    const userId = chooseAssignee(pool, c.notFor);
    if (userId === null) continue;
    const holder = pool.find((p) => p.userId === userId)!;
    holder.openCases += 1;
    holder.lastAssignedAt = ++stamp;
    planned.push({ caseId: c.id, userId });
  }
  return planned;
}

/** Open slots across the candidates: how many waiting cases one round can give out at most. */
export function freeSlots(candidates: readonly AssignmentCandidate[]): number {
  return candidates.reduce((sum, c) => sum + Math.max(0, c.capacity - c.openCases), 0);
}

function ranksBefore(a: AssignmentCandidate, b: AssignmentCandidate): boolean {
  if (a.openCases !== b.openCases) return a.openCases < b.openCases;
  const aLast = a.lastAssignedAt ?? -Infinity;
  const bLast = b.lastAssignedAt ?? -Infinity;
  if (aLast !== bLast) return aLast < bLast;
  return a.userId < b.userId;
}
