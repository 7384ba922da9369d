import type { Transaction } from '../../db/database.js';
import { firstInboundText } from '../../db/queries/inbound.js';
import { renderMultiCaseReply } from '../../domain/multi-case-reply.js';
import { acknowledgementText, fillCasePlaceholder, type Acknowledgement } from '../../domain/time-rules.js';
import { addHistory } from '../context.js';
import { queueOutbound } from '../outbound.js';
import type { InboundItem } from './store-batch.js';

/**
 * The texts the system sends back while storing an inbound batch, queued through the
 * outbox in the batch's transaction and marked automatic (DESIGN.md §13 "an automatic
 * message"): they answer no waiting case, so `waiting_since` stays as it is.
 */
export interface CaseRef {
  id: string;
  caseNumber: number;
}

/** Rule 5: tells the contact which open cases they have, so they can name one next time. */
export async function sendMultiCaseReply(tx: Transaction, item: InboundItem, cases: CaseRef[], now: number): Promise<void> {
  const number = item.number.row;
  const firstMessages = await Promise.all(
    cases.map(async (c) => ({ caseNumber: c.caseNumber, firstMessage: await firstInboundText(tx.db, c.id) })),
  );
  const replyId = await queueOutbound(tx, {
    orgId: number.org_id,
    numberId: number.id,
    contact: item.contact,
    text: renderMultiCaseReply(number.multi_case_reply!, firstMessages),
    authorId: null,
    automatic: true,
    recordIds: cases.map((c) => c.id),
    at: now,
  });
  await addHistory(
    tx.db,
    cases.map((c) => ({
      recordId: c.id,
      userId: null,
      action: 'message.out',
      detail: { messageId: replyId, multiCaseReply: true },
      at: now,
    })),
  );
}

/**
 * DESIGN.md §8: the number's acknowledgement to the contact of a case an inbound message
 * just created, `{case}` filled, the out-of-hours text when the survey is closed at `now`.
 * The plan (`planInboundBatch`) decided that this case gets one; the case number is drawn.
 */
export async function sendAcknowledgement(tx: Transaction, item: InboundItem, created: CaseRef, now: number): Promise<void> {
  const { row, survey } = item.number;
  if (row.acknowledgement === null) return;
  const settings = JSON.parse(row.acknowledgement) as Acknowledgement;
  const { text, outOfHours } = acknowledgementText(settings, survey.businessHours, now);
  const messageId = await queueOutbound(tx, {
    orgId: row.org_id,
    numberId: row.id,
    contact: item.contact,
    text: fillCasePlaceholder(text, created.caseNumber),
    authorId: null,
    automatic: true,
    recordIds: [created.id],
    at: now,
  });
  await addHistory(tx.db, {
    recordId: created.id,
    userId: null,
    action: 'message.out',
    detail: { messageId, acknowledgement: true, outOfHours },
    at: now,
  });
  tx.publish({ type: 'message.added', orgId: row.org_id, caseNumber: created.caseNumber, surveyId: survey.id, messageId });
}
