import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeInbound, type RoutingInput } from '../../../src/domain/routing.js';

/** A survey with case management, a contact without open cases, no multi-case reply. */
function route(overrides: Partial<RoutingInput>) {
  return routeInbound({
    caseManagement: true,
    references: [],
    asksForNewCase: false,
    openCases: [],
    hasMultiCaseReply: false,
    ...overrides,
  });
}

const open = (...numbers: number[]) => numbers.map((caseNumber) => ({ caseNumber }));

describe('where an inbound message goes (DESIGN.md §2 rules 3–6)', () => {
  describe('#0, the reference that names no case (rule 4)', () => {
    it('starts a new case even when the person has open cases', () => {
      expect(route({ asksForNewCase: true, openCases: open(3, 5) })).toEqual({ kind: 'new-case' });
    });

    it('gives way to a valid reference in the same text', () => {
      expect(route({ asksForNewCase: true, references: [5], openCases: open(3, 5) })).toEqual({
        kind: 'referenced-cases',
        caseNumbers: [5],
      });
    });

    it("still starts a new case beside a reference to a closed case or another person's", () => {
      expect(route({ asksForNewCase: true, references: [9], openCases: open(3) })).toEqual({ kind: 'new-case' });
    });

    it('without case management changes nothing: every message is a new record anyway', () => {
      expect(route({ caseManagement: false, asksForNewCase: true, openCases: open(3) })).toEqual({ kind: 'new-record' });
    });
  });

  describe('without case management (rule 3)', () => {
    it('every message creates a new record', () => {
      expect(route({ caseManagement: false })).toEqual({ kind: 'new-record' });
    });

    it('a new record is created even when the text references a case and the contact has open cases', () => {
      expect(route({ caseManagement: false, references: [12], openCases: open(12, 13), hasMultiCaseReply: true })).toEqual({
        kind: 'new-record',
      });
    });
  });

  describe('references (rule 4)', () => {
    it("a reference to one of the contact's open cases sends the message to that case only", () => {
      expect(route({ references: [12], openCases: open(11, 12, 13) })).toEqual({
        kind: 'referenced-cases',
        caseNumbers: [12],
      });
    });

    it('references to several open cases of the contact send the message to exactly those', () => {
      expect(route({ references: [13, 11], openCases: open(11, 12, 13) })).toEqual({
        kind: 'referenced-cases',
        caseNumbers: [13, 11],
      });
    });

    it("a reference to a case that is not among the contact's open cases is ignored", () => {
      expect(route({ references: [99, 12], openCases: open(11, 12) })).toEqual({
        kind: 'referenced-cases',
        caseNumbers: [12],
      });
    });

    it("a reference to another person's case, a closed case or no case falls back to the contact's open cases", () => {
      expect(route({ references: [99], openCases: open(11) })).toEqual({
        kind: 'open-cases',
        caseNumbers: [11],
        sendMultiCaseReply: false,
      });
    });

    it("a reference to a case that is not the contact's own, from a contact with no open case, starts a new case", () => {
      expect(route({ references: [99] })).toEqual({ kind: 'new-case' });
    });

    it('a valid reference means no multi-case reply is sent', () => {
      expect(route({ references: [12], openCases: open(11, 12), hasMultiCaseReply: true })).toEqual({
        kind: 'referenced-cases',
        caseNumbers: [12],
      });
    });
  });

  describe('open cases (rule 5)', () => {
    it('a message without references joins the one open case of the contact', () => {
      expect(route({ openCases: open(7) })).toEqual({ kind: 'open-cases', caseNumbers: [7], sendMultiCaseReply: false });
    });

    it('a message without references joins all open cases of the contact', () => {
      expect(route({ openCases: open(7, 8, 9) })).toMatchObject({ kind: 'open-cases', caseNumbers: [7, 8, 9] });
    });

    it('with two or more open cases and a multi-case reply configured, the reply is sent', () => {
      expect(route({ openCases: open(7, 8), hasMultiCaseReply: true })).toEqual({
        kind: 'open-cases',
        caseNumbers: [7, 8],
        sendMultiCaseReply: true,
      });
    });

    it('with two or more open cases but no multi-case reply configured, nothing is sent back', () => {
      expect(route({ openCases: open(7, 8) })).toMatchObject({ sendMultiCaseReply: false });
    });

    it('with one open case the multi-case reply is not sent, even when configured', () => {
      expect(route({ openCases: open(7), hasMultiCaseReply: true })).toMatchObject({ sendMultiCaseReply: false });
    });
  });

  describe('new case (rule 6)', () => {
    it('a contact with no open case starts a new case', () => {
      expect(route({})).toEqual({ kind: 'new-case' });
    });

    it('a contact with no open case starts a new case even with a multi-case reply configured', () => {
      expect(route({ hasMultiCaseReply: true })).toEqual({ kind: 'new-case' });
    });
  });

  describe('properties', () => {
    const caseNumbers = fc.uniqueArray(fc.integer({ min: 1, max: 200 }), { maxLength: 8 });
    const input = fc.record({
      caseManagement: fc.constant(true),
      references: caseNumbers,
      asksForNewCase: fc.boolean(),
      openCases: caseNumbers.map((ns) => open(...ns)),
      hasMultiCaseReply: fc.boolean(),
    });

    it("a message never goes to a case that is not one of the contact's open cases", () => {
      fc.assert(
        fc.property(input, (i) => {
          const decision = routeInbound(i);
          if (decision.kind === 'referenced-cases' || decision.kind === 'open-cases') {
            for (const n of decision.caseNumbers) expect(i.openCases.map((c) => c.caseNumber)).toContain(n);
          }
        }),
      );
    });

    it('a message goes to the referenced open cases exactly, when there are any', () => {
      fc.assert(
        fc.property(input, (i) => {
          const open = i.openCases.map((c) => c.caseNumber);
          const valid = i.references.filter((n) => open.includes(n));
          fc.pre(valid.length > 0);
          expect(routeInbound(i)).toEqual({ kind: 'referenced-cases', caseNumbers: valid });
        }),
      );
    });

    it('a new case is started exactly when the contact has no open case, or asks with #0 and names none', () => {
      fc.assert(
        fc.property(input, (i) => {
          const open = i.openCases.map((c) => c.caseNumber);
          const named = i.references.some((n) => open.includes(n));
          expect(routeInbound(i).kind === 'new-case').toBe(open.length === 0 || (i.asksForNewCase && !named));
        }),
      );
    });
  });
});
