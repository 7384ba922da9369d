import type { Executor } from '../database.js';

/** What storing an inbound batch reads (DESIGN.md §2 rules 1, 4–6 and 11). */

/** Rule 1: which of these (number, provider id) pairs the numbers already hold, as `number|id`. */
export async function storedProviderIds(
  executor: Executor,
  pairs: ReadonlyArray<{ numberId: string; providerMessageId: string }>,
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const rows = await executor
    .selectFrom('messages')
    .select(['number_id', 'provider_message_id'])
    .where('number_id', 'in', [...new Set(pairs.map((p) => p.numberId))])
    .where('direction', '=', 'in')
    .where('provider_message_id', 'in', [...new Set(pairs.map((p) => p.providerMessageId))])
    .execute();
  return new Set(rows.map((r) => `${r.number_id}|${r.provider_message_id ?? ''}`));
}

/** The open cases of these contacts in these surveys, oldest first (read through `records_routing`). */
export function openCasesQuery(executor: Executor, surveyIds: string[], contacts: string[]) {
  return executor
    .selectFrom('records')
    .select(['id', 'case_number', 'survey_id', 'contact', 'waiting_since'])
    .where('survey_id', 'in', surveyIds)
    .where('contact', 'in', contacts)
    .where('status', '=', 'open')
    .orderBy('case_number');
}

/** Which of these contacts are opted out on which of these numbers. */
export async function optedOutAmong(
  executor: Executor,
  numberIds: string[],
  contacts: string[],
): Promise<Array<{ numberId: string; contact: string }>> {
  if (numberIds.length === 0 || contacts.length === 0) return [];
  const rows = await executor
    .selectFrom('opt_outs')
    .select(['number_id', 'contact'])
    .where('number_id', 'in', numberIds)
    .where('contact', 'in', contacts)
    .execute();
  return rows.map((r) => ({ numberId: r.number_id, contact: r.contact }));
}

/** The text of a record's first inbound message; '' when it has none. */
export async function firstInboundText(executor: Executor, recordId: string): Promise<string> {
  const first = await executor
    .selectFrom('record_messages as rm')
    .innerJoin('messages as m', 'm.id', 'rm.message_id')
    .select('m.body')
    .where('rm.record_id', '=', recordId)
    .where('m.direction', '=', 'in')
    .orderBy('rm.added_at')
    .orderBy('m.id')
    .limit(1)
    .executeTakeFirst();
  return first?.body ?? '';
}
