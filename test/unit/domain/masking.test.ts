import { describe, expect, it } from 'vitest';
import { isMasked, maskContact, MASK } from '../../../src/domain/masking.js';

describe('maskContact', () => {
  it('keeps the country code, the first two and last three digits of a long number, in its grouping', () => {
    expect(maskContact('+447700900123')).toBe('+44 77•• •••123');
    expect(maskContact('+14155550123')).toBe('+1 41• ••• •123');
    expect(maskContact('+2348031234567')).toBe('+234 80• ••• •567');
  });

  it('hides every digit but the last three of a shorter national number', () => {
    expect(maskContact('+254712345678')).toBe('+254 ••• •••678');
    expect(maskContact('+4512345678')).toBe('+45 •••••678');
  });

  it('never shows more digits than the rule allows, whatever the country', () => {
    for (const contact of ['+447700900123', '+33612345678', '+8613800138000', '+5511987654321', '+919876543210']) {
      const masked = maskContact(contact);
      const shown = masked.replace(/\D/g, '');
      const code = masked.slice(1, masked.indexOf(' '));
      expect(shown.length - code.length).toBeLessThanOrEqual(5);
      expect(masked).toContain(MASK);
      expect(masked.endsWith(contact.slice(-1))).toBe(true);
    }
  });

  it('masks a WhatsApp id that is not a phone number the same way: last three kept, grouped in fours', () => {
    expect(maskContact('wa-abc123xyz')).toBe('•••• •••• •xyz');
  });

  it('keeps at most half of a very short id', () => {
    expect(maskContact('abc')).toBe('••c');
    expect(maskContact('+12')).toBe('••2');
    expect(maskContact('')).toBe('');
  });

  it('the masked form is recognised as masked; a number is not', () => {
    expect(isMasked(maskContact('+447700900123'))).toBe(true);
    expect(isMasked('+447700900123')).toBe(false);
    expect(isMasked(null)).toBe(false);
  });
});
