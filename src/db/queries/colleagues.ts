import type { Executor } from '../database.js';

/** The organisation's active analysts and admins, by name: who may hold a case (DESIGN.md §7). */
export function colleaguesQuery(executor: Executor, orgId: string) {
  return executor
    .selectFrom('users')
    .select(['id', 'name', 'role', 'available'])
    .where('org_id', '=', orgId)
    .where('active', '=', 1)
    .where('role', 'in', ['analyst', 'admin'])
    .orderBy('name')
    .orderBy('id');
}
