import { sql } from 'kysely';
import type { Direction } from '../../domain/message-status.js';
import type { Executor } from '../database.js';

/** Reading messages: a record's conversation, the newest of each record, a contact's last word. */

/** The messages of a record with their channel and author; the caller orders and limits. */
export function selectRecordMessages(db: Executor, recordId: string) {
  return db
    .selectFrom('record_messages as rm')
    .innerJoin('messages as m', 'm.id', 'rm.message_id')
    .innerJoin('numbers as n', 'n.id', 'm.number_id')
    .leftJoin('users as u', 'u.id', 'm.author_id')
    .select([
      'm.id',
      'm.direction',
      'm.body',
      'm.created_at',
      'n.channel',
      'm.status',
      'm.error_code',
      'm.error_text',
      'm.author_id',
      'm.automatic',
      'u.name as author_name',
      'rm.added_at',
    ])
    .where('rm.record_id', '=', recordId);
}

/** When the contact last wrote on the number (the WhatsApp window, rule 12); null if never. */
export async function lastInboundAt(executor: Executor, numberId: string, contact: string): Promise<number | null> {
  const row = await executor
    .selectFrom('messages')
    .select('created_at')
    .where('number_id', '=', numberId)
    .where('contact', '=', contact)
    .where('direction', '=', 'in')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.created_at) : null;
}

/** The newest message of each record, in one query for a whole page. */
export async function lastMessages(executor: Executor, recordIds: string[]) {
  if (recordIds.length === 0) return new Map<string, { body: string; created_at: number; direction: Direction }>();
  const rows = await executor
    .selectFrom((eb) =>
      eb
        .selectFrom('record_messages as rm')
        .select([
          'rm.record_id',
          'rm.message_id',
          sql<number>`row_number() over (partition by rm.record_id order by rm.added_at desc, rm.message_id desc)`.as('rank'),
        ])
        .where('rm.record_id', 'in', recordIds)
        .as('ranked'),
    )
    .innerJoin('messages as m', 'm.id', 'ranked.message_id')
    .select(['ranked.record_id', 'm.body', 'm.created_at', 'm.direction'])
    .where('ranked.rank', '=', 1)
    .execute();
  return new Map(rows.map((r) => [r.record_id, { body: r.body, created_at: Number(r.created_at), direction: r.direction }]));
}

/** Which records hold a message (a reply fans out to one; an inbound message to several). */
export async function recordsHolding(executor: Executor, messageId: string): Promise<Array<{ caseNumber: number; surveyId: string }>> {
  const rows = await executor
    .selectFrom('record_messages as rm')
    .innerJoin('records as r', 'r.id', 'rm.record_id')
    .select(['r.case_number', 'r.survey_id'])
    .where('rm.message_id', '=', messageId)
    .execute();
  return rows.map((r) => ({ caseNumber: Number(r.case_number), surveyId: r.survey_id }));
}
