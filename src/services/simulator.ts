import type { SimulatorConversation, SimulatorSend } from '../contract/index.js';
import { randomUUID } from 'node:crypto';
import { DomainError, forbidden, validationFailed } from '../domain/errors.js';
import { normaliseContact } from '../domain/phone.js';
import { signSandboxBody, SIGNATURE_HEADER } from '../providers/sandbox.js';
import { mediaOfMessages } from '../db/queries/media.js';
import { iso, requireWriter, type Actor, type ServiceContext } from './context.js';
import type { InboundService } from './inbound/receive-webhook.js';
import type { NumberService } from './numbers.js';
import { mediaView, viewerOf } from './presenters.js';

/**
 * The phone simulator of sandbox numbers: texts go in through the same signed webhook path
 * a provider uses, and the conversation of one phone is read back for display.
 */
export function createSimulatorService(ctx: ServiceContext, numbers: NumberService, inbound: InboundService) {
  /**
   * A pretend phone is played by its whole number, which a reader who sees contacts masked
   * must not type in or be handed (DESIGN.md §9): with masking on, the simulator is the
   * admins' alone.
   */
  async function sandboxNumber(actor: Actor, numberId: string) {
    if ((await viewerOf(ctx.db.kysely, actor)).masked) {
      throw forbidden('Contact numbers are masked in this organisation, so only an admin can use the phone simulator');
    }
    const view = await numbers.get(actor, numberId);
    if (view.provider !== 'sandbox') throw new DomainError('bad_request', 'The simulator works with sandbox numbers only');
    return numbers.load(numberId);
  }

  /**
   * The phone may send only files uploaded in this organisation and not yet sent: the
   * sandbox webhook links them to the message it stores.
   */
  async function requireOwnUploads(actor: Actor, ids: readonly string[]) {
    if (ids.length === 0) return;
    const found = await ctx.db.kysely
      .selectFrom('media')
      .select('id')
      .where('org_id', '=', actor.orgId)
      .where('id', 'in', [...ids])
      .where('message_id', 'is', null)
      .where('status', '=', 'stored')
      .execute();
    if (found.length !== new Set(ids).size)
      throw validationFailed('A file named in media is not an upload waiting to be sent', { field: 'media' });
  }

  return {
    async send(actor: Actor, numberId: string, input: SimulatorSend): Promise<{ id: string }> {
      requireWriter(actor);
      const loaded = await sandboxNumber(actor, numberId);
      if (input.text.length > 1600) throw validationFailed('A text can be at most 1600 characters');
      const media = input.media ?? [];
      if (!input.text.trim() && media.length === 0) throw validationFailed('Send a text, a file, or both');
      await requireOwnUploads(actor, media);
      const id = `sim-${randomUUID()}`;
      // The sandbox webhook's body (src/providers/sandbox.ts): uploads are named by id.
      const body = {
        id,
        from: input.from,
        text: input.text,
        ...(media.length > 0 ? { media: media.map((mediaId) => ({ id: mediaId })) } : {}),
      };
      const rawBody = Buffer.from(JSON.stringify(body));
      const secret = (loaded.provider.credentials as { webhookSecret: string }).webhookSecret;
      await inbound.handleWebhook('sandbox', loaded.row.webhook_token, {
        method: 'POST',
        publicUrl: loaded.row.id,
        headers: { [SIGNATURE_HEADER]: signSandboxBody(secret, rawBody), 'content-type': 'application/json' },
        rawBody,
        query: {},
        remoteAddress: '127.0.0.1',
      });
      return { id };
    },

    async conversation(actor: Actor, numberId: string, contactRaw: string): Promise<SimulatorConversation> {
      const loaded = await sandboxNumber(actor, numberId);
      const contact = normaliseContact(contactRaw, loaded.row.channel, loaded.row.our_number);
      const rows = await ctx.db.kysely
        .selectFrom('messages')
        .select(['id', 'direction', 'body', 'created_at', 'status'])
        .where('number_id', '=', numberId)
        .where('contact', '=', contact)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(200)
        .execute();
      const media = await mediaOfMessages(
        ctx.db.kysely,
        rows.map((r) => r.id),
      );
      return {
        items: rows.reverse().map((r) => ({
          id: r.id,
          direction: r.direction,
          text: r.body,
          at: iso(r.created_at)!,
          status: r.status,
          media: (media.get(r.id) ?? []).map(mediaView),
        })),
      };
    },
  };
}
