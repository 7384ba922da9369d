import type { ServiceContext } from './context.js';

/** What operators watch: whether the database answers, and the outbox's backlog. */
export function createOperationsService(ctx: ServiceContext) {
  const { db } = ctx;
  return {
    /** The dialect, or an error when the database does not answer. */
    async ping(): Promise<string> {
      await db.kysely.selectFrom('organisations').select('id').limit(1).execute();
      return db.dialect;
    },

    /** Outbox rows waiting, in flight and failed. */
    async outboxBacklog(): Promise<Array<{ state: string; count: number }>> {
      const rows = await db.kysely
        .selectFrom('outbox')
        .select(['state', db.kysely.fn.countAll<number>().as('count')])
        .where('state', 'in', ['pending', 'sending', 'failed'])
        .groupBy('state')
        .execute();
      return rows.map((r) => ({ state: r.state, count: Number(r.count) }));
    },
  };
}
