import type { Executor, Transaction } from '../../db/database.js';
import type { MediaTable } from '../../db/schema.js';
import { notFound } from '../../domain/errors.js';
import { checkOutgoingMedia } from '../../domain/media-limits.js';
import type { Channel, ProviderName } from '../../domain/providers.js';
import type { ProviderRegistry } from '../../providers/provider.js';
import { newId } from '../ids.js';

/**
 * Attachments of a reply or of a first message (DESIGN.md §6): uploads (`POST /media`)
 * named by id, checked against the number's provider before anything is written, then
 * joined to the message in the transaction that queues it.
 */

/** An upload as attaching needs it. */
export type Upload = Pick<MediaTable, 'id' | 'message_id' | 'blob_id' | 'declared_type' | 'content_type' | 'size' | 'name' | 'uploaded_by'>;

const PROVIDER_LABELS: Record<ProviderName, string> = {
  sandbox: 'The sandbox',
  twilio: 'Twilio',
  vonage: 'Vonage',
  'whatsapp-cloud': 'WhatsApp (Meta)',
  africastalking: 'Africa’s Talking',
};

/**
 * The uploads named by `ids`, in that order, checked against what the number's provider
 * carries on its channel. An id that is not a stored upload of the organisation is "not
 * found", whoever holds it: another organisation's upload is never revealed.
 */
export async function prepareAttachments(
  executor: Executor,
  providers: ProviderRegistry,
  input: { orgId: string; numberId: string; ids: readonly string[] | undefined },
): Promise<Upload[]> {
  const ids = input.ids ?? [];
  if (ids.length === 0) return [];
  const rows = await executor
    .selectFrom('media')
    .select(['id', 'message_id', 'blob_id', 'declared_type', 'content_type', 'size', 'name', 'uploaded_by'])
    .where('id', 'in', [...new Set(ids)])
    .where('org_id', '=', input.orgId)
    .where('direction', '=', 'out')
    .where('status', '=', 'stored')
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const uploads = ids.map((id) => {
    const upload = byId.get(id);
    if (!upload?.blob_id) throw notFound('Attachment');
    return upload;
  });
  const number = await executor
    .selectFrom('numbers')
    .select(['provider', 'channel'])
    .where('id', '=', input.numberId)
    .executeTakeFirstOrThrow();
  const limits = providers[number.provider]?.media[number.channel];
  checkOutgoingMedia(
    limits,
    uploads.map((upload) => ({ contentType: upload.content_type, size: Number(upload.size ?? 0), name: upload.name })),
    senderLabel(number.provider, number.channel),
  );
  return uploads;
}

/**
 * Joins the uploads to the message, in order. An upload not yet sent becomes the message's
 * own; one already attached elsewhere (sent before, or named twice) is attached as a copy
 * of its row: a new id over the same bytes, which are stored once by content.
 */
export async function attachUploads(
  tx: Transaction,
  input: { orgId: string; messageId: string; uploads: Upload[]; at: number },
): Promise<void> {
  for (const [position, upload] of input.uploads.entries()) {
    // Only while unattached, so two replies naming one upload at once cannot both take it.
    const taken = await tx.db
      .updateTable('media')
      .set({ message_id: input.messageId, position, updated_at: input.at })
      .where('id', '=', upload.id)
      .where('message_id', 'is', null)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) > 0) continue;
    await tx.db
      .insertInto('media')
      .values({
        id: newId(input.at),
        org_id: input.orgId,
        message_id: input.messageId,
        position,
        number_id: null,
        direction: 'out',
        status: 'stored',
        source: null,
        declared_type: upload.declared_type,
        content_type: upload.content_type,
        name: upload.name,
        size: upload.size,
        blob_id: upload.blob_id,
        error_code: null,
        error_text: null,
        uploaded_by: upload.uploaded_by,
        created_at: input.at,
        updated_at: input.at,
      })
      .execute();
  }
}

function senderLabel(provider: ProviderName, channel: Channel): string {
  if (provider === 'whatsapp-cloud') return PROVIDER_LABELS[provider];
  return `${PROVIDER_LABELS[provider]} ${channel === 'sms' ? 'SMS' : 'WhatsApp'}`;
}
