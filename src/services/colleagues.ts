import type { Colleague } from '../contract/index.js';
import { colleaguesQuery } from '../db/queries/colleagues.js';
import type { Actor, ServiceContext } from './context.js';

/**
 * Who a case can be handed to. Every signed-in user may read it (an analyst hands a case
 * over from the console); it names people, never their email addresses.
 */
export function createColleagueService(ctx: ServiceContext) {
  return {
    async list(actor: Actor): Promise<Colleague[]> {
      const rows = await colleaguesQuery(ctx.db.kysely, actor.orgId).execute();
      return rows.map((row) => ({ id: row.id, name: row.name, role: row.role, available: Number(row.available) === 1 }));
    },
  };
}
