import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, scryptParamsFrom, verifyPassword } from '../../src/services/security.js';

describe('password hashing', () => {
  it("production hashes at OWASP's scrypt guidance: N=2^17, r=8, p=1", () => {
    expect(scryptParamsFrom({})).toEqual({ N: 2 ** 17, r: 8, p: 1 });
  });

  it('a hash at the production cost fits in the memory limit and verifies', async () => {
    const started = performance.now();
    const stored = await hashPassword('correct horse', scryptParamsFrom({}));
    const ms = performance.now() - started;
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('wrong horse', stored)).toBe(false);
    expect(ms).toBeLessThan(10_000);
  });

  it('CASELINE_SCRYPT_COST_LOG2 lowers the cost for test suites, never below 2^14', () => {
    expect(scryptParamsFrom({ CASELINE_SCRYPT_COST_LOG2: '14' }).N).toBe(2 ** 14);
    for (const bad of ['13', '0', 'abc', '14.5', '21']) {
      expect(() => scryptParamsFrom({ CASELINE_SCRYPT_COST_LOG2: bad })).toThrow(/CASELINE_SCRYPT_COST_LOG2/);
    }
  });

  it('a hash made with less work than today asks for needs rehashing; one at or above does not', async () => {
    const today = scryptParamsFrom(process.env);
    expect(needsRehash(await hashPassword('x', { ...today, N: today.N / 2 }))).toBe(true);
    expect(needsRehash(await hashPassword('x', today))).toBe(false);
    expect(needsRehash('not-a-hash')).toBe(true);
  });

  it('a stored hash asking for absurd work is refused without hashing', async () => {
    expect(await verifyPassword('x', 'scrypt$1073741824$8$1$AAAA$AAAA')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1000$8$1$AAAA$AAAA')).toBe(false);
  });
});
