/**
 * Where an inbound message goes: DESIGN.md §2 rules 3–6 as one decision. The caller loads
 * the contact's open cases in the survey (under the per-contact lock of rule 7) and acts on
 * the answer; nothing here touches storage.
 */
export interface OpenCase {
  caseNumber: number;
}

export interface RoutingInput {
  /** Whether the survey has case management (rule 3). */
  caseManagement: boolean;
  /** Case numbers referenced in the text (rule 4), from `parseReferences`. */
  references: readonly number[];
  /** The text carries `#0` (rule 4), from `asksForNewCase`. */
  asksForNewCase: boolean;
  /** The open cases of this contact in this survey; never anyone else's, never closed ones. */
  openCases: readonly OpenCase[];
  /** Whether the number has a multi-case reply configured (rule 5). */
  hasMultiCaseReply: boolean;
}

export type RoutingDecision =
  | { kind: 'new-record' }
  | { kind: 'new-case' }
  | { kind: 'referenced-cases'; caseNumbers: number[] }
  | { kind: 'open-cases'; caseNumbers: number[]; sendMultiCaseReply: boolean };

export function routeInbound(input: RoutingInput): RoutingDecision {
  if (!input.caseManagement) return { kind: 'new-record' };

  const open = input.openCases.map((c) => c.caseNumber);
  // A reference counts only when it names one of this contact's open cases, so guessing a
  // number never writes into a closed case or someone else's case (rule 4).
  const valid = input.references.filter((n) => open.includes(n));
  if (valid.length > 0) return { kind: 'referenced-cases', caseNumbers: valid };
  // `#0` without a valid reference: something new, even beside open cases.
  if (input.asksForNewCase) return { kind: 'new-case' };

  if (open.length > 0) {
    return {
      kind: 'open-cases',
      caseNumbers: open,
      sendMultiCaseReply: open.length >= 2 && input.hasMultiCaseReply,
    };
  }
  return { kind: 'new-case' };
}
