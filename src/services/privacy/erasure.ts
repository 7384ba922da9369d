import type { ErasureCounts, ErasureRequest } from '../../contract/index.js';
import type { Executor } from '../../db/database.js';
import {
  deleteOptOuts,
  mediaOfMessages,
  messagesOfContact,
  messagesOfRecords,
  numbersInScope,
  recordsOfContact,
} from '../../db/queries/redaction.js';
import { deleteWhatsAppAddresses } from '../../db/queries/whatsapp-addresses.js';
import type { Actor, ServiceContext } from '../context.js';
import { personScope, type PersonScope } from './person-scope.js';
import type { PrivacyAudit } from './privacy-audit.js';
import type { Redaction, RedactionPlan } from './redaction.js';

/**
 * Erasure of one person (DESIGN.md §9): their cases in the scope, every message they
 * exchanged on its numbers (archived ones too) and every message shown in those cases,
 * their media and their opt-outs go, in one transaction with the audit entry, so an
 * erasure is whole or nothing. Open cases are erased too: a helpline asked to forget
 * someone must not keep a conversation because it is still going. The bytes of the media
 * go once the transaction commits (media housekeeping removes them if the server stops
 * before then).
 */
export function createErasure(ctx: ServiceContext, redaction: Redaction, privacyAudit: PrivacyAudit) {
  const { db } = ctx;

  /** What erasing the person removes now; read in the erasing transaction, so nothing arrives unseen between. */
  async function planFor(tx: Executor, scope: PersonScope): Promise<{ plan: RedactionPlan; numberIds: string[] }> {
    const records = await recordsOfContact(tx, scope.orgId, scope.spellings, scope.surveyId);
    const numberIds = await numbersInScope(tx, scope.orgId, scope.surveyId);
    const exchanged = await messagesOfContact(tx, numberIds, scope.spellings);
    const shown = await messagesOfRecords(
      tx,
      records.map((record) => record.id),
    );
    const messageIds = [...new Set([...exchanged, ...shown])];
    return { plan: { records, messageIds, media: await mediaOfMessages(tx, messageIds) }, numberIds };
  }

  return {
    /** `POST /contacts/erase` (admin): answers what went; a person already erased answers zeros. */
    async erase(actor: Actor, request: ErasureRequest): Promise<ErasureCounts> {
      const scope = await personScope(db.kysely, actor, request);
      const done = await db.transaction(async (tx) => {
        const now = ctx.now();
        const { plan, numberIds } = await planFor(tx.db, scope);
        const applied = await redaction.apply(tx, plan, { by: 'erasure', userId: actor.userId }, now);
        const optOuts = await deleteOptOuts(tx, numberIds, scope.spellings);
        await deleteWhatsAppAddresses(tx.db, numberIds, scope.spellings);
        const counts: ErasureCounts = { records: applied.counts.cases, messages: applied.counts.messages, media: applied.counts.media };
        await privacyAudit.record(tx.db, {
          orgId: scope.orgId,
          userId: actor.userId,
          action: 'erasure',
          surveyId: scope.surveyId,
          contact: scope.contact,
          counts: { ...counts, optOuts },
        });
        return { counts, blobIds: applied.blobIds };
      });
      await redaction.removeBlobs(done.blobIds);
      return done.counts;
    },
  };
}

export type Erasure = ReturnType<typeof createErasure>;
