import type { Transaction } from '../database.js';

/** A fact all server processes share (`server_settings`), read for update in the caller's transaction. */
export async function readSettingForUpdate(tx: Transaction, name: string): Promise<string | null> {
  const row = await tx.forUpdate(tx.db.selectFrom('server_settings').select('value').where('name', '=', name)).executeTakeFirst();
  return row?.value ?? null;
}

export async function writeSetting(tx: Transaction, name: string, value: string): Promise<void> {
  await tx.db
    .insertInto('server_settings')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
    .execute();
}
