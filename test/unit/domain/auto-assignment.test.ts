import { describe, expect, it } from 'vitest';
import { chooseAssignee, freeSlots, planAssignments, type AssignmentCandidate } from '../../../src/domain/auto-assignment.js';

const NOW = 1_700_000_000_000;

function person(userId: string, openCases: number, more: Partial<AssignmentCandidate> = {}): AssignmentCandidate {
  return { userId, openCases, capacity: 10, lastAssignedAt: null, ...more };
}

const cases = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `case-${i + 1}` }));

describe('chooseAssignee', () => {
  it('nobody to choose from: the case stays unassigned', () => {
    expect(chooseAssignee([])).toBeNull();
  });

  it('the candidate with the fewest open cases gets the case', () => {
    expect(chooseAssignee([person('a', 3), person('b', 1), person('c', 2)])).toBe('b');
  });

  it('a candidate at capacity gets nothing, even holding the fewest', () => {
    expect(chooseAssignee([person('a', 2, { capacity: 2 }), person('b', 5)])).toBe('b');
    expect(chooseAssignee([person('a', 2, { capacity: 2 }), person('b', 10)])).toBeNull();
  });

  it('capacity 0 means no auto-assigned cases at all', () => {
    expect(chooseAssignee([person('a', 0, { capacity: 0 })])).toBeNull();
  });

  it('someone already past capacity (cases they took themselves) gets nothing', () => {
    expect(chooseAssignee([person('a', 12, { capacity: 10 })])).toBeNull();
  });

  it('among equals, the one whose newest case is oldest; holding none counts as oldest', () => {
    expect(chooseAssignee([person('a', 1, { lastAssignedAt: NOW }), person('b', 1, { lastAssignedAt: NOW - 5000 })])).toBe('b');
    expect(chooseAssignee([person('a', 0, { lastAssignedAt: null }), person('b', 0, { lastAssignedAt: null })])).toBe('a');
  });

  it('full ties go to the smaller user id, whatever order the candidates come in', () => {
    const x = person('x', 2, { lastAssignedAt: NOW });
    const y = person('y', 2, { lastAssignedAt: NOW });
    expect(chooseAssignee([x, y])).toBe('x');
    expect(chooseAssignee([y, x])).toBe('x');
  });

  it('a case is never given to a user it must not go to', () => {
    expect(chooseAssignee([person('a', 0), person('b', 4)], ['a'])).toBe('b');
    expect(chooseAssignee([person('a', 0)], ['a'])).toBeNull();
  });
});

describe('planAssignments', () => {
  it('cases go round the candidates, fewest first, and never past anyone’s capacity', () => {
    const plan = planAssignments(
      [person('a', 0, { capacity: 5 }), person('b', 0, { capacity: 5 }), person('c', 0, { capacity: 5 })],
      cases(50),
      NOW,
    );
    expect(plan).toHaveLength(15);
    const perUser = (id: string) => plan.filter((p) => p.userId === id).length;
    expect([perUser('a'), perUser('b'), perUser('c')]).toEqual([5, 5, 5]);
    // The first fifteen cases in order were given; the rest stay unassigned.
    expect(plan.map((p) => p.caseId)).toEqual(cases(15).map((c) => c.id));
    // Round robin: a, b, c, a, b, c…
    expect(plan.slice(0, 6).map((p) => p.userId)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('counts what each candidate already holds', () => {
    const plan = planAssignments([person('a', 3, { capacity: 4 }), person('b', 0, { capacity: 2 })], cases(5), NOW);
    expect(plan.map((p) => p.userId)).toEqual(['b', 'b', 'a']);
  });

  it('a case the only free candidate must not take stays unassigned, and the next case still goes to them', () => {
    const plan = planAssignments([person('a', 0)], [{ id: 'released', notFor: ['a'] }, { id: 'next' }], NOW);
    expect(plan).toEqual([{ caseId: 'next', userId: 'a' }]);
  });

  it('no candidates: nothing is assigned', () => {
    expect(planAssignments([], cases(3), NOW)).toEqual([]);
  });

  it('does not change the candidates it was given', () => {
    const candidates = [person('a', 0)];
    planAssignments(candidates, cases(2), NOW);
    expect(candidates[0]!.openCases).toBe(0);
  });
});

describe('freeSlots', () => {
  it('adds up the room left, counting nobody past capacity as negative', () => {
    expect(freeSlots([person('a', 3, { capacity: 5 }), person('b', 12, { capacity: 10 }), person('c', 0, { capacity: 1 })])).toBe(3);
  });
});
