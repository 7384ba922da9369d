import type { Transaction } from './database.js';

/** The organisation's row, as both dialects create it. */
export async function insertOrganisation(tx: Transaction, organisation: { id: string; name: string; createdAt: number }) {
  await tx.db
    .insertInto('organisations')
    .values({ id: organisation.id, name: organisation.name, last_case_number: 0, created_at: organisation.createdAt })
    .execute();
}
