import type { Transaction } from '../db/database.js';
import { recordsHolding } from '../db/queries/messages.js';
import { recordOptOut } from '../db/queries/opt-outs.js';
import { isStatusProgress, latestStatus } from '../domain/message-status.js';
import { normaliseContact } from '../domain/phone.js';
import { webhookUrls, type Channel } from '../domain/providers.js';
import type { ClaimedRow, DeliveryPort, SendRecord } from '../outbox/ports.js';
import type { StatusUpdate } from '../providers/provider.js';
import type { ServiceContext } from './context.js';
import { outboundMediaOf } from './media/outbound-links.js';
import type { LoadedNumber, NumberService } from './numbers.js';

/**
 * Deliveries: what becomes of an outbound message after it is queued. The outbox's sends
 * recorded (sent, retried, failed), the provider's delivery reports applied, and reports
 * that arrive before their send is recorded ("early statuses") kept until it is.
 */
export function createDeliveryService(ctx: ServiceContext, numbers: NumberService): DeliveryPort {
  const { db } = ctx;
  return {
    async sendingNumber(numberId) {
      const loaded = await numbers.load(numberId);
      return {
        adapter: loaded.adapter,
        provider: loaded.provider,
        ratePerSecond: Number(loaded.row.send_rate_per_second),
        statusCallbackUrl: webhookUrls(ctx.publicUrl, loaded.row.provider, loaded.row.webhook_token).status,
      };
    },
    record: (claim, orgId, result) => recordSend(ctx, claim, orgId, result),
    outboundMedia: (orgId, messageId) => outboundMediaOf(ctx, orgId, messageId),
    async forgetEarlyStatuses(before) {
      await db.kysely.deleteFrom('early_statuses').where('created_at', '<', before).execute();
    },
  };
}

/** Records a result, only if the outbox still holds the claim. */
async function recordSend(ctx: ServiceContext, row: ClaimedRow, orgId: string, result: SendRecord): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const updated = await tx.db
      .updateTable('outbox')
      .set({
        state: result.state,
        due_at: result.dueAt ?? row.due_at,
        claimed_until: null,
        last_error: result.lastError ?? null,
      })
      .where('id', '=', row.id)
      .where('state', '=', 'sending')
      .where('claimed_until', '=', row.claimed_until)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;
    if (result.message) {
      const providerId = result.message.provider_message_id;
      const early = providerId
        ? await tx.db
            .selectFrom('early_statuses')
            .select(['status', 'error_code', 'error_text'])
            .where('number_id', '=', row.number_id)
            .where('provider_message_id', '=', providerId)
            .execute()
        : [];
      // A delivery report that arrived before this record tells more than "sent".
      const report = latestStatus([
        { status: result.message.status, error_code: result.message.error_code, error_text: result.message.error_text },
        ...early,
      ]);
      await tx.db
        .updateTable('messages')
        .set({ ...result.message, ...report, updated_at: now })
        .where('id', '=', row.message_id)
        .execute();
      if (early.length > 0) {
        await tx.db
          .deleteFrom('early_statuses')
          .where('number_id', '=', row.number_id)
          .where('provider_message_id', '=', providerId!)
          .execute();
      }
      await publishStatus(tx, orgId, row.message_id);
    }
    if (result.optOut) await recordOptOut(tx.db, row.number_id, result.optOut, now);
  });
}

/** Applies a provider's delivery report to the outbound message it names. */
export async function applyStatus(ctx: ServiceContext, loaded: LoadedNumber, update: StatusUpdate): Promise<boolean> {
  const { db } = ctx;
  return db.transaction(async (tx) => {
    const message = await tx.db
      .selectFrom('messages')
      .select(['id', 'status', 'org_id', 'contact'])
      .where('number_id', '=', loaded.row.id)
      .where('direction', '=', 'out')
      .where('provider_message_id', '=', update.providerMessageId)
      .executeTakeFirst();
    // An unsubscribe holds whatever the order of reports (rule 11), so before the status check.
    const optOutContact = update.optedOut
      ? (message?.contact ?? reportedRecipient(update, loaded.row.channel, loaded.row.our_number))
      : undefined;
    if (optOutContact) await recordOptOut(tx.db, loaded.row.id, optOutContact, ctx.now());
    if (!message) {
      // The report raced ahead of the outbox recording the provider's id: keep it until
      // the send is recorded (`recordSend` applies it then).
      await tx.db
        .insertInto('early_statuses')
        .values({
          number_id: loaded.row.id,
          provider_message_id: update.providerMessageId,
          status: update.status,
          error_code: update.errorCode ?? null,
          error_text: update.errorText ?? null,
          created_at: ctx.now(),
        })
        .execute();
      return false;
    }
    if (!isStatusProgress(message.status, update.status)) return true;
    await tx.db
      .updateTable('messages')
      .set({
        status: update.status,
        error_code: update.errorCode ?? null,
        error_text: update.errorText ?? null,
        updated_at: ctx.now(),
      })
      .where('id', '=', message.id)
      .execute();
    await publishStatus(tx, message.org_id, message.id);
    return true;
  });
}

/** The recipient a status report names, as a contact; none when it is not a phone number. */
function reportedRecipient(update: StatusUpdate, channel: Channel, ourNumber: string): string | undefined {
  if (!update.recipient) return undefined;
  try {
    return normaliseContact(update.recipient, channel, ourNumber);
  } catch {
    return undefined;
  }
}

/** Tells every record holding the message that its status moved. */
export async function publishStatus(tx: Transaction, orgId: string, messageId: string): Promise<void> {
  for (const { caseNumber, surveyId } of await recordsHolding(tx.db, messageId)) {
    tx.publish({ type: 'message.status', orgId, caseNumber, surveyId, messageId });
  }
}
