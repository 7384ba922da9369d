import type { Organisation, OrganisationPatch } from '../contract/index.js';
import type { Executor } from '../db/database.js';
import { notFound } from '../domain/errors.js';
import { requireAdmin, type Actor, type ServiceContext } from './context.js';

/** The caller's organisation and its privacy and sign-in settings (DESIGN.md §9, §13). */
export async function loadOrganisation(db: Executor, orgId: string): Promise<Organisation> {
  const row = await db
    .selectFrom('organisations')
    .select(['id', 'name', 'mask_contacts', 'require_two_factor', 'session_idle_minutes'])
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (!row) throw notFound('Organisation');
  return {
    id: row.id,
    name: row.name,
    maskContacts: Number(row.mask_contacts) === 1,
    requireTwoFactor: row.require_two_factor,
    sessionIdleMinutes: Number(row.session_idle_minutes),
  };
}

export function createOrganisationService(ctx: ServiceContext) {
  const { db } = ctx;
  return {
    get: (actor: Actor) => loadOrganisation(db.kysely, actor.orgId),

    async update(actor: Actor, patch: OrganisationPatch): Promise<Organisation> {
      requireAdmin(actor);
      return db.transaction(async (tx) => {
        const current = await loadOrganisation(tx.db, actor.orgId);
        const next: Organisation = {
          ...current,
          name: patch.name?.trim() || current.name,
          maskContacts: patch.maskContacts ?? current.maskContacts,
          requireTwoFactor: patch.requireTwoFactor ?? current.requireTwoFactor,
          sessionIdleMinutes: patch.sessionIdleMinutes ?? current.sessionIdleMinutes,
        };
        await tx.db
          .updateTable('organisations')
          .set({
            name: next.name,
            mask_contacts: next.maskContacts ? 1 : 0,
            require_two_factor: next.requireTwoFactor,
            session_idle_minutes: next.sessionIdleMinutes,
          })
          .where('id', '=', actor.orgId)
          .execute();
        tx.publish({ type: 'config.changed', orgId: actor.orgId });
        return next;
      });
    },
  };
}

export type OrganisationService = ReturnType<typeof createOrganisationService>;
