import type { Executor } from '../database.js';

/**
 * The one way a contact becomes opted out on a number (DESIGN.md §2 rule 11): their STOP,
 * a provider refusing a send as unsubscribed, or a delivery report saying the same later.
 * Recording it again changes nothing.
 */
export async function recordOptOut(db: Executor, numberId: string, contact: string, now: number): Promise<void> {
  await db
    .insertInto('opt_outs')
    .values({ number_id: numberId, contact, created_at: now })
    .onConflict((oc) => oc.columns(['number_id', 'contact']).doNothing())
    .execute();
}

/** START, YES or UNSTOP opts the contact back in. */
export async function removeOptOut(db: Executor, numberId: string, contact: string): Promise<void> {
  await db.deleteFrom('opt_outs').where('number_id', '=', numberId).where('contact', '=', contact).execute();
}

export async function isOptedOut(db: Executor, numberId: string, contact: string): Promise<boolean> {
  const row = await db
    .selectFrom('opt_outs')
    .select('contact')
    .where('number_id', '=', numberId)
    .where('contact', '=', contact)
    .executeTakeFirst();
  return row !== undefined;
}
