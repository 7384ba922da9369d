import { describe, expect, it } from 'vitest';
import { isAllowed, parseAllowList } from '../../../src/domain/ip-allow-list.js';
import { DomainError } from '../../../src/domain/errors.js';

describe('IP allow-list', () => {
  it('accepts addresses and CIDR ranges of both families, trimmed and without repeats', () => {
    expect(parseAllowList([' 196.201.214.200 ', '196.201.214.0/24', '2001:db8::/32', '2001:db8::1', '196.201.214.0/24'])).toEqual([
      '196.201.214.200',
      '196.201.214.0/24',
      '2001:db8::/32',
      '2001:db8::1',
    ]);
  });

  it('refuses anything else with validation_failed naming the field', () => {
    for (const bad of [['10.0.0.0/33'], ['2001:db8::/129'], ['10.0.0.0/8/1'], ['example.org'], [''], [42], 'not a list', ['10.0.0.1/']]) {
      let error: unknown;
      try {
        parseAllowList(bad);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(bad)).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('validation_failed');
      expect((error as DomainError).details).toEqual({ field: 'allowedIps' });
    }
  });

  it('matches single addresses, ranges, and IPv4 clients seen through a dual-stack socket', () => {
    const list = ['196.201.214.0/24', '10.1.2.3', '2001:db8::/32'];
    expect(isAllowed(list, '196.201.214.77')).toBe(true);
    expect(isAllowed(list, '::ffff:196.201.214.77')).toBe(true);
    expect(isAllowed(list, '10.1.2.3')).toBe(true);
    expect(isAllowed(list, '2001:db8:1::5')).toBe(true);
    expect(isAllowed(list, '196.201.215.1')).toBe(false);
    expect(isAllowed(list, '10.1.2.4')).toBe(false);
    expect(isAllowed(list, 'not-an-address')).toBe(false);
  });
});
