import { describe, expect, it } from 'vitest';
import { decideAssign } from '../../../src/domain/assignment.js';

const decide = (actorRole: 'admin' | 'analyst' | 'viewer', holderId: string | null, targetId: string, actorId = 'me') =>
  decideAssign({ actorId, actorRole, holderId, targetId });

describe('decideAssign', () => {
  it('an admin may give any case to anyone', () => {
    expect(decide('admin', null, 'ann')).toEqual({ kind: 'assign' });
    expect(decide('admin', 'bob', 'ann')).toEqual({ kind: 'assign' });
    expect(decide('admin', 'bob', 'me')).toEqual({ kind: 'assign' });
  });

  it('the holder hands over', () => {
    expect(decide('analyst', 'me', 'ann')).toEqual({ kind: 'assign' });
  });

  it("an analyst takes an unassigned case for themself, never a colleague's", () => {
    expect(decide('analyst', null, 'me')).toEqual({ kind: 'assign' });
    expect(decide('analyst', 'bob', 'me')).toEqual({ kind: 'refused', code: 'lock_held' });
    expect(decide('analyst', 'bob', 'ann')).toEqual({ kind: 'refused', code: 'lock_held' });
  });

  it('an analyst may not hand an unassigned case to someone else', () => {
    expect(decide('analyst', null, 'ann')).toEqual({ kind: 'refused', code: 'forbidden' });
  });

  it('a viewer never assigns', () => {
    expect(decide('viewer', null, 'me')).toEqual({ kind: 'refused', code: 'forbidden' });
    expect(decide('viewer', 'me', 'ann')).toEqual({ kind: 'refused', code: 'forbidden' });
  });

  it('giving the case to its holder changes nothing', () => {
    expect(decide('analyst', 'me', 'me')).toEqual({ kind: 'unchanged' });
    expect(decide('admin', 'bob', 'bob')).toEqual({ kind: 'unchanged' });
  });
});
