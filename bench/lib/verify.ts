import { sql } from 'kysely';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import type { TwilioPool } from './twilio-pool.js';

/**
 * After an ingest run: every webhook the server answered with a 2xx is stored exactly once
 * (one `messages` row with its MessageSid, linked to at least one case), and no MessageSid
 * of the pool is stored twice.
 */
export interface IngestCheck {
  acknowledged: number;
  /** Acknowledged webhooks whose message is not in the database. */
  lost: number;
  /** MessageSids stored more than once. */
  duplicated: number;
  /** Stored messages of the pool that belong to no case. */
  unlinked: number;
  /** Stored but never acknowledged (cut off at the end of a run): allowed, providers retry. */
  storedNotAcknowledged: number;
  stored: number;
  ok: boolean;
}

export async function checkIngest(
  config: DatabaseConfig,
  numberId: string,
  pool: TwilioPool,
  acknowledged: Set<number>,
): Promise<IngestCheck> {
  const db = await openDatabase(config, { listen: false });
  try {
    const rows = await db.kysely
      .selectFrom('messages')
      .select(['provider_message_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('number_id', '=', numberId)
      .where('direction', '=', 'in')
      .where('provider_message_id', '>=', pool.sidRange.from)
      .where('provider_message_id', '<', pool.sidRange.to)
      .groupBy('provider_message_id')
      .execute();
    const counts = new Map(rows.map((r) => [r.provider_message_id!, Number(r.n)]));
    let lost = 0;
    for (const i of acknowledged) if (!counts.has(pool.sids[i]!)) lost++;
    const duplicated = rows.filter((r) => Number(r.n) > 1).length;
    const ackedSids = new Set([...acknowledged].map((i) => pool.sids[i]!));
    const storedNotAcknowledged = rows.filter((r) => !ackedSids.has(r.provider_message_id!)).length;
    const unlinked = await db.kysely
      .selectFrom('messages as m')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('m.number_id', '=', numberId)
      .where('m.direction', '=', 'in')
      .where('m.provider_message_id', '>=', pool.sidRange.from)
      .where('m.provider_message_id', '<', pool.sidRange.to)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('record_messages as rm')
              .select(sql`1`.as('one'))
              .whereRef('rm.message_id', '=', 'm.id'),
          ),
        ),
      )
      .executeTakeFirstOrThrow();
    const result = {
      acknowledged: acknowledged.size,
      lost,
      duplicated,
      unlinked: Number(unlinked.n),
      storedNotAcknowledged,
      stored: rows.length,
      ok: false,
    };
    result.ok = result.lost === 0 && result.duplicated === 0 && result.unlinked === 0;
    return result;
  } finally {
    await db.close();
  }
}
