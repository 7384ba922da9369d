import { newId } from './ids.js';
import type { Transaction } from '../db/database.js';
import type { TemplateConfig } from '../providers/provider.js';

/**
 * Records an outbound message as `queued` and its outbox row in the caller's transaction
 * (STYLE.md habit 4): if the transaction commits the send will happen, and if it rolls
 * back nothing is sent.
 */
export async function queueOutbound(
  tx: Transaction,
  input: {
    orgId: string;
    numberId: string;
    contact: string;
    text: string;
    authorId: string | null;
    /** Written by the system, not a person (DESIGN.md §13 "an automatic message"): it answers no waiting case. */
    automatic?: boolean;
    recordIds: string[];
    template?: TemplateConfig | null;
    /** How many attachments the message carries (attached by the caller, in this transaction). */
    mediaCount?: number;
    at: number;
  },
): Promise<string> {
  const messageId = newId();
  await tx.db
    .insertInto('messages')
    .values({
      id: messageId,
      org_id: input.orgId,
      number_id: input.numberId,
      direction: 'out',
      contact: input.contact,
      body: input.text,
      provider_message_id: null,
      status: 'queued',
      error_code: null,
      error_text: null,
      author_id: input.authorId,
      automatic: input.automatic ? 1 : 0,
      created_at: input.at,
      updated_at: input.at,
    })
    .execute();
  if (input.recordIds.length > 0) {
    await tx.db
      .insertInto('record_messages')
      .values(input.recordIds.map((recordId) => ({ record_id: recordId, message_id: messageId, added_at: input.at })))
      .execute();
  }
  await tx.db
    .insertInto('outbox')
    .values({
      id: newId(),
      message_id: messageId,
      number_id: input.numberId,
      state: 'pending',
      attempts: 0,
      due_at: input.at,
      claimed_until: null,
      last_error: null,
      payload: JSON.stringify({ template: input.template ?? null, ...(input.mediaCount ? { media: input.mediaCount } : {}) }),
      created_at: input.at,
    })
    .execute();
  tx.publish({ type: 'outbox.ready', orgId: input.orgId, messageId });
  return messageId;
}
