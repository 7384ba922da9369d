import { describe, expect, it } from 'vitest';
import {
  planInboundBatch,
  type InboundPlanInput,
  type InboundPlanItem,
  type PlannedTarget,
  type StoredOpenCase,
} from '../../../src/domain/inbound-plan.js';

const ALICE = '+447700900001';
const BOB = '+447700900002';
const SURVEY = 'survey-1';
const NUMBER = 'number-1';

let nextId = 0;

/** A fresh message from Alice on a number of a survey with case management, no multi-case reply, no acknowledgement. */
function msg(text: string, overrides: Partial<InboundPlanItem> = {}): InboundPlanItem {
  nextId += 1;
  return {
    numberId: NUMBER,
    providerMessageId: `SM${nextId}`,
    contact: ALICE,
    text,
    surveyId: SURVEY,
    caseManagement: true,
    hasMultiCaseReply: false,
    hasAcknowledgement: false,
    alreadyStored: false,
    ...overrides,
  };
}

function openCase(caseNumber: number, overrides: Partial<StoredOpenCase> = {}): StoredOpenCase {
  return { id: `record-${caseNumber}`, caseNumber, surveyId: SURVEY, contact: ALICE, ...overrides };
}

function plan(items: InboundPlanItem[], more: Partial<Omit<InboundPlanInput, 'items'>> = {}) {
  return planInboundBatch({ items, openCases: [], optedOut: [], ...more });
}

const existing = (caseNumber: number): PlannedTarget => ({ kind: 'existing', id: `record-${caseNumber}`, caseNumber });
const created = (key: number): PlannedTarget => ({ kind: 'new', key });

describe('the plan of an inbound batch (DESIGN.md §2 rules 1, 3–6, 11)', () => {
  describe('duplicates (rule 1)', () => {
    it('a message whose provider id the number already holds changes nothing', () => {
      const result = plan([msg('hello again', { alreadyStored: true })], { openCases: [openCase(5)] });
      expect(result.messages).toEqual([{ duplicate: true }]);
      expect(result.newCases).toEqual([]);
      expect(result.multiCaseReplies).toEqual([]);
    });

    it('the same provider id twice in one batch is stored once: the second is a duplicate', () => {
      const first = msg('I need help');
      const result = plan([first, { ...first }]);
      expect(result.messages).toEqual([{ duplicate: false, targets: [created(0)] }, { duplicate: true }]);
      expect(result.newCases).toHaveLength(1);
    });

    it('the same provider id on two numbers is two messages', () => {
      const first = msg('hello');
      const result = plan([first, { ...first, numberId: 'number-2' }]);
      expect(result.messages.map((m) => m.duplicate)).toEqual([false, false]);
    });

    it('a duplicate STOP changes no consent', () => {
      expect(plan([msg('STOP', { alreadyStored: true })]).consentUpdates).toEqual([]);
    });
  });

  describe('without case management (rule 3)', () => {
    it('every message creates a new record, even two of one contact in one batch', () => {
      const result = plan([msg('one', { caseManagement: false }), msg('two', { caseManagement: false })]);
      expect(result.messages).toEqual([
        { duplicate: false, targets: [created(0)] },
        { duplicate: false, targets: [created(1)] },
      ]);
      expect(result.newCases.map((c) => c.firstItem)).toEqual([0, 1]);
    });

    it('a reference to an open record is not followed', () => {
      const result = plan([msg('about #5', { caseManagement: false })], { openCases: [openCase(5)] });
      expect(result.messages).toEqual([{ duplicate: false, targets: [created(0)] }]);
    });
  });

  describe('references (rule 4)', () => {
    it('#0 starts a new case beside open cases, and the next message joins every open case', () => {
      const result = plan([msg('something else #0'), msg('and more')], { openCases: [openCase(5)] });
      expect(result.newCases).toHaveLength(1);
      expect(result.messages).toEqual([
        { duplicate: false, targets: [created(0)] },
        { duplicate: false, targets: [existing(5), created(0)] },
      ]);
    });

    it('#0 beside a valid reference gives way to it', () => {
      const result = plan([msg('#5, not #0')], { openCases: [openCase(5)] });
      expect(result.messages).toEqual([{ duplicate: false, targets: [existing(5)] }]);
      expect(result.newCases).toEqual([]);
    });

    it("a reference to one of the contact's open cases sends the message there only", () => {
      const result = plan([msg('about (#6), thanks')], { openCases: [openCase(5), openCase(6)] });
      expect(result.messages).toEqual([{ duplicate: false, targets: [existing(6)] }]);
    });

    it('references to several open cases reach exactly those, in the order the cases were opened', () => {
      const result = plan([msg('#7 and #5')], { openCases: [openCase(5), openCase(6), openCase(7)] });
      expect(result.messages).toEqual([{ duplicate: false, targets: [existing(5), existing(7)] }]);
    });

    it('a reference to a closed case (not among the open ones) is ignored: the message joins the open cases', () => {
      const result = plan([msg('more about #4')], { openCases: [openCase(5)] });
      expect(result.messages).toEqual([{ duplicate: false, targets: [existing(5)] }]);
    });

    it("a reference to another person's case is ignored: nobody writes into a case that is not theirs", () => {
      const result = plan([msg('about #9')], { openCases: [openCase(9, { contact: BOB })] });
      expect(result.messages).toEqual([{ duplicate: false, targets: [created(0)] }]);
    });

    it("a reference to the contact's case in another survey is ignored", () => {
      const result = plan([msg('about #9')], { openCases: [openCase(9, { surveyId: 'survey-2' }), openCase(5)] });
      expect(result.messages).toEqual([{ duplicate: false, targets: [existing(5)] }]);
    });

    it('a valid reference sends no multi-case reply', () => {
      const result = plan([msg('#5', { hasMultiCaseReply: true })], { openCases: [openCase(5), openCase(6)] });
      expect(result.multiCaseReplies).toEqual([]);
    });
  });

  describe('open cases (rule 5)', () => {
    it('a message without references joins every open case of the contact', () => {
      const result = plan([msg('to everyone')], { openCases: [openCase(5), openCase(6)] });
      expect(result.messages).toEqual([{ duplicate: false, targets: [existing(5), existing(6)] }]);
      expect(result.newCases).toEqual([]);
    });

    it('with two open cases and a multi-case reply, one reply names both cases', () => {
      const result = plan([msg('which case?', { hasMultiCaseReply: true })], { openCases: [openCase(5), openCase(6)] });
      expect(result.multiCaseReplies).toEqual([{ item: 0, targets: [existing(5), existing(6)] }]);
    });

    it('one open case sends no multi-case reply', () => {
      expect(plan([msg('hi', { hasMultiCaseReply: true })], { openCases: [openCase(5)] }).multiCaseReplies).toEqual([]);
    });

    it('without a multi-case reply configured none is sent', () => {
      expect(plan([msg('hi')], { openCases: [openCase(5), openCase(6)] }).multiCaseReplies).toEqual([]);
    });

    it('each message that joins several cases gets its own reply', () => {
      const result = plan([msg('hi', { hasMultiCaseReply: true }), msg('hello?', { hasMultiCaseReply: true })], {
        openCases: [openCase(5), openCase(6)],
      });
      expect(result.multiCaseReplies.map((r) => r.item)).toEqual([0, 1]);
    });
  });

  describe('new cases (rule 6)', () => {
    it('a first message creates a case holding the contact, on its number and survey', () => {
      const result = plan([msg('I need help')]);
      expect(result.newCases).toEqual([{ key: 0, surveyId: SURVEY, numberId: NUMBER, contact: ALICE, firstItem: 0 }]);
      expect(result.messages).toEqual([{ duplicate: false, targets: [created(0)] }]);
    });

    it('two messages of one new contact in one batch make one case, with no multi-case reply', () => {
      const result = plan([msg('hello'), msg('are you there?', { hasMultiCaseReply: true }), msg('please')]);
      expect(result.multiCaseReplies).toEqual([]);
      expect(result.newCases).toHaveLength(1);
      expect(result.messages).toEqual([0, 1, 2].map(() => ({ duplicate: false, targets: [created(0)] })));
    });

    it('two new contacts in one batch get a case each', () => {
      const result = plan([msg('hello'), msg('hello', { contact: BOB })]);
      expect(result.newCases.map((c) => c.contact)).toEqual([ALICE, BOB]);
    });

    it('one contact writing in two surveys gets a case in each', () => {
      const result = plan([msg('hello'), msg('hello', { surveyId: 'survey-2', numberId: 'number-2' })]);
      expect(result.newCases.map((c) => c.surveyId)).toEqual([SURVEY, 'survey-2']);
    });

    it('a contact whose cases are all closed starts a new case, as if writing for the first time', () => {
      const result = plan([msg('back again about #4')], { openCases: [] });
      expect(result.newCases).toHaveLength(1);
    });

    it('a reference cannot name a case created in the same batch', () => {
      const result = plan([msg('hello'), msg('about #1')]);
      expect(result.messages[1]).toEqual({ duplicate: false, targets: [created(0)] });
    });
  });

  describe('opt-out (rule 11)', () => {
    it('STOP as a first message is recorded as usual, in a new case, and opts the contact out on the number', () => {
      const result = plan([msg('STOP')]);
      expect(result.newCases).toHaveLength(1);
      expect(result.messages).toEqual([{ duplicate: false, targets: [created(0)] }]);
      expect(result.consentUpdates).toEqual([{ numberId: NUMBER, contact: ALICE, change: 'opt-out' }]);
    });

    it('every opt-out word counts, as the whole text in any case; a sentence with one does not', () => {
      const words = ['stop', 'StopAll', 'UNSUBSCRIBE', 'cancel', ' end ', 'Quit', 'stop please'];
      const result = plan(words.map((w) => msg(w)));
      expect(result.consentUpdates.map((u) => u.change)).toEqual(['opt-out', 'opt-out', 'opt-out', 'opt-out', 'opt-out', 'opt-out']);
    });

    it('START, YES and UNSTOP opt back in, in arrival order', () => {
      const result = plan([msg('STOP'), msg('start'), msg('YES'), msg('unstop')]);
      expect(result.consentUpdates.map((u) => u.change)).toEqual(['opt-out', 'opt-in', 'opt-in', 'opt-in']);
    });

    it('no multi-case reply goes to a contact opted out on the number', () => {
      const result = plan([msg('hi', { hasMultiCaseReply: true })], {
        openCases: [openCase(5), openCase(6)],
        optedOut: [{ numberId: NUMBER, contact: ALICE }],
      });
      expect(result.multiCaseReplies).toEqual([]);
      expect(result.messages).toEqual([{ duplicate: false, targets: [existing(5), existing(6)] }]);
    });

    it('an opt-out on another number does not hold back the reply', () => {
      const result = plan([msg('hi', { hasMultiCaseReply: true })], {
        openCases: [openCase(5), openCase(6)],
        optedOut: [{ numberId: 'number-2', contact: ALICE }],
      });
      expect(result.multiCaseReplies).toHaveLength(1);
    });

    it("the batch's own STOP holds back a reply, and its START lets it go, as they stand at the end of the batch", () => {
      const cases = { openCases: [openCase(5), openCase(6)] };
      expect(plan([msg('hi', { hasMultiCaseReply: true }), msg('STOP')], cases).multiCaseReplies).toEqual([]);
      const optedOutBefore = { ...cases, optedOut: [{ numberId: NUMBER, contact: ALICE }] };
      expect(plan([msg('START'), msg('hi', { hasMultiCaseReply: true })], optedOutBefore).multiCaseReplies).toEqual([
        { item: 1, targets: [existing(5), existing(6)] },
      ]);
    });
  });

  describe('acknowledgements (DESIGN.md §8)', () => {
    const acked = (text: string, overrides: Partial<InboundPlanItem> = {}) => msg(text, { hasAcknowledgement: true, ...overrides });

    it('a message that creates a case on a number with an acknowledgement gets one, naming the case and the message', () => {
      const result = plan([acked('I need help')]);
      expect(result.acknowledgements).toEqual([{ caseKey: 0, item: 0 }]);
    });

    it('a number without an acknowledgement sends none', () => {
      expect(plan([msg('I need help')]).acknowledgements).toEqual([]);
    });

    it('a message that joins an existing case is not acknowledged', () => {
      const result = plan([acked('more')], { openCases: [openCase(5)] });
      expect(result.messages).toEqual([{ duplicate: false, targets: [existing(5)] }]);
      expect(result.acknowledgements).toEqual([]);
    });

    it('a duplicate is not acknowledged, stored before or earlier in the batch', () => {
      expect(plan([acked('hello', { alreadyStored: true })]).acknowledgements).toEqual([]);
      const first = acked('hello');
      expect(plan([first, { ...first }]).acknowledgements).toEqual([{ caseKey: 0, item: 0 }]);
    });

    it('two messages of one new contact in one batch make one case, acknowledged once, for the first message', () => {
      const result = plan([acked('hello'), acked('are you there?'), acked('please')]);
      expect(result.newCases).toHaveLength(1);
      expect(result.acknowledgements).toEqual([{ caseKey: 0, item: 0 }]);
    });

    it('each new case of a batch gets its own: two contacts, and #0 beside an open case', () => {
      expect(plan([acked('hello'), acked('hello', { contact: BOB })]).acknowledgements).toEqual([
        { caseKey: 0, item: 0 },
        { caseKey: 1, item: 1 },
      ]);
      expect(plan([acked('something new #0')], { openCases: [openCase(5)] }).acknowledgements).toEqual([{ caseKey: 0, item: 0 }]);
    });

    it('no acknowledgement goes to a contact opted out on the number, even on their first message', () => {
      const result = plan([acked('I need help')], { optedOut: [{ numberId: NUMBER, contact: ALICE }] });
      expect(result.newCases).toHaveLength(1);
      expect(result.acknowledgements).toEqual([]);
    });

    it('an opt-out on another number does not hold it back', () => {
      expect(plan([acked('I need help')], { optedOut: [{ numberId: 'number-2', contact: ALICE }] }).acknowledgements).toHaveLength(1);
    });

    it('STOP as a first message opens a case and opts out: no acknowledgement, even if START follows in the batch', () => {
      const stop = plan([acked('STOP')]);
      expect(stop.newCases).toHaveLength(1);
      expect(stop.consentUpdates).toEqual([{ numberId: NUMBER, contact: ALICE, change: 'opt-out' }]);
      expect(stop.acknowledgements).toEqual([]);
      expect(plan([acked('STOP'), acked('START')]).acknowledgements).toEqual([]);
    });

    it('a STOP later in the batch holds back the acknowledgement of the case it joins', () => {
      expect(plan([acked('I need help'), acked('stop')]).acknowledgements).toEqual([]);
    });

    it('a START before the first message lets it go', () => {
      const result = plan([acked('START')], { optedOut: [{ numberId: NUMBER, contact: ALICE }] });
      expect(result.acknowledgements).toEqual([{ caseKey: 0, item: 0 }]);
    });

    it('without case management no record is acknowledged: each message is a record of its own', () => {
      const result = plan([acked('one', { caseManagement: false }), acked('two', { caseManagement: false })]);
      expect(result.newCases).toHaveLength(2);
      expect(result.acknowledgements).toEqual([]);
    });
  });
});
