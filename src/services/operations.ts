import type { ServiceContext } from './context.js';

const SECRET_KEY_CHECK = 'secret_key_check';
const CHECK_VALUE = 'caseline';

/** What operators watch: whether the database answers, the secret key fits, the outbox's backlog. */
export function createOperationsService(ctx: ServiceContext) {
  const { db, secrets } = ctx;

  const opens = (sealed: string): boolean => {
    try {
      secrets.open(sealed);
      return true;
    } catch {
      return false;
    }
  };

  return {
    /** The dialect, or an error when the database does not answer. */
    async ping(): Promise<string> {
      await db.kysely.selectFrom('organisations').select('id').limit(1).execute();
      return db.dialect;
    },

    /**
     * Whether this process's `CASELINE_SECRET_KEY` opens what the database holds sealed
     * (DESIGN.md §12). A check value sealed by the first process to start is compared; a
     * database from before the check value existed is checked against its newest sealed
     * credentials before the check value is written, so a wrong key never writes it.
     */
    async secretKeyFits(): Promise<boolean> {
      const check = await db.kysely.selectFrom('server_settings').select('value').where('name', '=', SECRET_KEY_CHECK).executeTakeFirst();
      if (check) return opens(check.value);
      const newest = await db.kysely.selectFrom('numbers').select('credentials').orderBy('updated_at', 'desc').limit(1).executeTakeFirst();
      if (newest && !opens(newest.credentials)) return false;
      await db.kysely
        .insertInto('server_settings')
        .values({ name: SECRET_KEY_CHECK, value: secrets.seal(CHECK_VALUE) })
        .onConflict((conflict) => conflict.column('name').doNothing())
        .execute();
      // Another process may have written its own check value first: that one counts.
      const written = await db.kysely
        .selectFrom('server_settings')
        .select('value')
        .where('name', '=', SECRET_KEY_CHECK)
        .executeTakeFirstOrThrow();
      return opens(written.value);
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
