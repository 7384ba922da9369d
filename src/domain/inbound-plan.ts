import { consentChange } from './opt-out.js';
import { asksForNewCase, parseReferences } from './references.js';
import { routeInbound } from './routing.js';

/**
 * What a batch of inbound messages changes (DESIGN.md §2 rules 1, 3–6 and 11), decided
 * over plain data: the messages in arrival order and what is already stored about their
 * contacts in; the cases to create, the links of messages to cases, the multi-case replies,
 * the acknowledgements and the opt-out changes out. The caller loads the open cases under the routing lock of
 * rule 7, then writes what this returns; nothing here touches storage.
 */
export interface InboundPlanItem {
  numberId: string;
  providerMessageId: string;
  /** E.164, normalised by the caller (rule 2). */
  contact: string;
  text: string;
  surveyId: string;
  /** Whether the survey has case management (rule 3). */
  caseManagement: boolean;
  /** Whether the number has a multi-case reply configured (rule 5). */
  hasMultiCaseReply: boolean;
  /** Whether the number has an acknowledgement configured (DESIGN.md §8). */
  hasAcknowledgement: boolean;
  /** Rule 1: the number already holds a message with this provider id. */
  alreadyStored: boolean;
}

/** An open case as stored: one row per case of any contact the batch names. */
export interface StoredOpenCase {
  id: string;
  caseNumber: number;
  surveyId: string;
  contact: string;
}

export interface InboundPlanInput {
  items: readonly InboundPlanItem[];
  /** The open cases of the batch's contacts in the batch's surveys, oldest first. */
  openCases: readonly StoredOpenCase[];
  /** Who is opted out on which number before the batch; consulted only for multi-case replies and acknowledgements. */
  optedOut: ReadonlyArray<{ numberId: string; contact: string }>;
}

/** A case a message joins: one that exists, or one this batch creates (by its `key`). */
export type PlannedTarget = { kind: 'existing'; id: string; caseNumber: number } | { kind: 'new'; key: number };

/** A case to create, holding the contact; its first message is `items[firstItem]`. */
export interface PlannedCase {
  key: number;
  surveyId: string;
  numberId: string;
  contact: string;
  firstItem: number;
}

/** Per item, in order: a duplicate changes nothing (rule 1); any other joins `targets`. */
export type PlannedMessage = { duplicate: true } | { duplicate: false; targets: PlannedTarget[] };

export interface ConsentUpdate {
  numberId: string;
  contact: string;
  change: 'opt-out' | 'opt-in';
}

export interface InboundPlan {
  messages: PlannedMessage[];
  newCases: PlannedCase[];
  /** Rule 5: one reply per message that joined two or more open cases, naming them. */
  multiCaseReplies: Array<{ item: number; targets: PlannedTarget[] }>;
  /**
   * DESIGN.md §8: one per case an inbound message created on a number with an
   * acknowledgement, naming the case (`caseKey`) and the message that created it (`item`).
   * Only cases of a survey with case management are acknowledged: without it every
   * message is a record of its own (rule 3), and acknowledging each would answer every
   * text. None goes to a contact opted out on the number when the message came in
   * (`STOP` as a first message opens a case, unacknowledged) or at the end of the batch.
   * Cases made by writing first, moves or merges come from no inbound message: never here.
   */
  acknowledgements: Array<{ caseKey: number; item: number }>;
  /** Rule 11, in arrival order. */
  consentUpdates: ConsentUpdate[];
}

export function planInboundBatch(input: InboundPlanInput): InboundPlan {
  const open = new Map<string, PlannedTarget[]>();
  for (const c of input.openCases) {
    const key = routingKey(c.surveyId, c.contact);
    open.set(key, [...(open.get(key) ?? []), { kind: 'existing', id: c.id, caseNumber: c.caseNumber }]);
  }
  const optedOut = new Set(input.optedOut.map((o) => consentKey(o.numberId, o.contact)));

  const seen = new Set<string>();
  const messages: PlannedMessage[] = [];
  const newCases: PlannedCase[] = [];
  const replyCandidates: Array<{ item: number; targets: PlannedTarget[] }> = [];
  const acknowledgementCandidates: Array<{ caseKey: number; item: number }> = [];
  const consentUpdates: ConsentUpdate[] = [];

  input.items.forEach((item, index) => {
    // Rule 1: stored before, or earlier in this same batch.
    const messageKey = `${item.numberId}|${item.providerMessageId}`;
    if (item.alreadyStored || seen.has(messageKey)) {
      messages.push({ duplicate: true });
      return;
    }
    seen.add(messageKey);

    const change = consentChange(item.text);
    if (change) {
      consentUpdates.push({ numberId: item.numberId, contact: item.contact, change });
      if (change === 'opt-out') optedOut.add(consentKey(item.numberId, item.contact));
      else optedOut.delete(consentKey(item.numberId, item.contact));
    }

    const key = routingKey(item.surveyId, item.contact);
    const openOfContact = open.get(key) ?? [];
    const decision = routeInbound({
      caseManagement: item.caseManagement,
      references: parseReferences(item.text),
      asksForNewCase: asksForNewCase(item.text),
      openCases: openOfContact.map((t) => ({ caseNumber: caseNumberOf(t) })),
      hasMultiCaseReply: item.hasMultiCaseReply,
    });
    switch (decision.kind) {
      case 'new-record':
      case 'new-case': {
        const created: PlannedTarget = { kind: 'new', key: newCases.length };
        newCases.push({ key: created.key, surveyId: item.surveyId, numberId: item.numberId, contact: item.contact, firstItem: index });
        // A case created for one message is open for the contact's next one (rule 6).
        if (decision.kind === 'new-case') open.set(key, [...openOfContact, created]);
        if (decision.kind === 'new-case' && item.hasAcknowledgement && !optedOut.has(consentKey(item.numberId, item.contact))) {
          acknowledgementCandidates.push({ caseKey: created.key, item: index });
        }
        messages.push({ duplicate: false, targets: [created] });
        break;
      }
      case 'referenced-cases': {
        const named = decision.caseNumbers;
        messages.push({ duplicate: false, targets: openOfContact.filter((t) => t.kind === 'existing' && named.includes(t.caseNumber)) });
        break;
      }
      case 'open-cases':
        messages.push({ duplicate: false, targets: openOfContact });
        if (decision.sendMultiCaseReply) replyCandidates.push({ item: index, targets: openOfContact });
        break;
    }
  });

  // Rule 11: nothing automatic goes to a contact opted out once the batch's own STOPs and STARTs count.
  const stillOptedIn = (r: { item: number }) => {
    const item = input.items[r.item]!;
    return !optedOut.has(consentKey(item.numberId, item.contact));
  };
  const multiCaseReplies = replyCandidates.filter(stillOptedIn);
  const acknowledgements = acknowledgementCandidates.filter(stillOptedIn);
  return { messages, newCases, multiCaseReplies, acknowledgements, consentUpdates };
}

/** A case created in this batch has no number yet: 0, which no reference names (rule 4). */
function caseNumberOf(target: PlannedTarget): number {
  return target.kind === 'existing' ? target.caseNumber : 0;
}

function routingKey(surveyId: string, contact: string): string {
  return `${surveyId}:${contact}`;
}

function consentKey(numberId: string, contact: string): string {
  return `${numberId}|${contact}`;
}
