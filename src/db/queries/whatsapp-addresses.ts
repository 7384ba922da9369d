import type { Executor } from '../database.js';

/**
 * Keeps the spelling a WhatsApp provider gave for a contact stored in another one, or
 * forgets it when the provider now gives the stored spelling (DESIGN.md §11).
 */
export async function rememberWhatsAppAddress(
  db: Executor,
  numberId: string,
  contact: string,
  address: string,
  now: number,
): Promise<void> {
  if (address === contact) {
    await db.deleteFrom('whatsapp_addresses').where('number_id', '=', numberId).where('contact', '=', contact).execute();
    return;
  }
  await db
    .insertInto('whatsapp_addresses')
    .values({ number_id: numberId, contact, address, updated_at: now })
    .onConflict((oc) => oc.columns(['number_id', 'contact']).doUpdateSet({ address, updated_at: now }))
    .execute();
}

/** A person's kept spellings on these numbers, for an erasure. */
export async function deleteWhatsAppAddresses(db: Executor, numberIds: readonly string[], spellings: readonly string[]): Promise<number> {
  if (numberIds.length === 0) return 0;
  const result = await db
    .deleteFrom('whatsapp_addresses')
    .where('number_id', 'in', numberIds)
    .where('contact', 'in', spellings)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
