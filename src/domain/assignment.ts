import type { Role } from './roles.js';

/**
 * Who may give a case's lock to whom (DESIGN.md §7, "Assignment is the lock"):
 *
 * - an admin may always, any case to any colleague who can hold one;
 * - the holder may hand the case over;
 * - an analyst may take an unassigned case for themself, as locking it does, but not
 *   take a colleague's case (`lock_held`), nor give an unassigned case to someone else
 *   (`forbidden`: handing out work is a supervisor's job);
 * - viewers never (the caller refuses them before asking).
 *
 * Capacity and availability bind only auto-assignment; a person choosing is not limited.
 */
export type AssignDecision = { kind: 'assign' } | { kind: 'unchanged' } | { kind: 'refused'; code: 'lock_held' | 'forbidden' };

export function decideAssign(input: { actorId: string; actorRole: Role; holderId: string | null; targetId: string }): AssignDecision {
  const { actorId, actorRole, holderId, targetId } = input;
  if (holderId === targetId) return { kind: 'unchanged' };
  if (actorRole === 'admin') return { kind: 'assign' };
  if (actorRole === 'viewer') return { kind: 'refused', code: 'forbidden' };
  if (holderId === actorId) return { kind: 'assign' };
  if (holderId !== null) return { kind: 'refused', code: 'lock_held' };
  return targetId === actorId ? { kind: 'assign' } : { kind: 'refused', code: 'forbidden' };
}

/** The roles that can hold a case. */
export const HOLDER_ROLES: readonly Role[] = ['analyst', 'admin'];
