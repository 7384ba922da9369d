import type { SimulatorConversation } from '../contract/index.js';
import { randomUUID } from 'node:crypto';
import { DomainError, validationFailed } from '../domain/errors.js';
import { normalisePhone } from '../domain/phone.js';
import { signSandboxBody, SIGNATURE_HEADER } from '../providers/sandbox.js';
import { iso, requireWriter, type Actor, type ServiceContext } from './context.js';
import type { InboundService } from './inbound/receive-webhook.js';
import type { NumberService } from './numbers.js';

/**
 * The phone simulator of sandbox numbers: texts go in through the same signed webhook path
 * a provider uses, and the conversation of one phone is read back for display.
 */
export function createSimulatorService(ctx: ServiceContext, numbers: NumberService, inbound: InboundService) {
  async function sandboxNumber(actor: Actor, numberId: string) {
    const view = await numbers.get(actor, numberId);
    if (view.provider !== 'sandbox') throw new DomainError('bad_request', 'The simulator works with sandbox numbers only');
    return numbers.load(numberId);
  }

  return {
    async send(actor: Actor, numberId: string, input: { from: string; text: string }): Promise<{ id: string }> {
      requireWriter(actor);
      const loaded = await sandboxNumber(actor, numberId);
      if (input.text.length > 1600) throw validationFailed('A text can be at most 1600 characters');
      const id = `sim-${randomUUID()}`;
      const rawBody = Buffer.from(JSON.stringify({ id, from: input.from, text: input.text }));
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
      const contact = normalisePhone(contactRaw, loaded.row.our_number);
      const rows = await ctx.db.kysely
        .selectFrom('messages')
        .select(['id', 'direction', 'body', 'created_at', 'status'])
        .where('number_id', '=', numberId)
        .where('contact', '=', contact)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(200)
        .execute();
      return {
        items: rows.reverse().map((r) => ({ id: r.id, direction: r.direction, text: r.body, at: iso(r.created_at)!, status: r.status })),
      };
    },
  };
}
