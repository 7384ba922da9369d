import { describe, expect, it } from 'vitest';
import { newId } from '../../src/services/ids.js';

describe('ids', () => {
  it('are version 7 UUIDs', () => {
    expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sort in creation order, even many within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newId(1_800_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
