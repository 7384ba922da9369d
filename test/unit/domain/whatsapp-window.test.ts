import { describe, expect, it } from 'vitest';
import { isWindowOpen, WHATSAPP_WINDOW_MS } from '../../../src/domain/whatsapp-window.js';

const HOUR = 60 * 60 * 1000;
const now = Date.UTC(2025, 0, 15, 12, 0, 0);

describe("WhatsApp's 24-hour window (DESIGN.md §2 rule 12)", () => {
  it('the window is 24 hours long', () => {
    expect(WHATSAPP_WINDOW_MS).toBe(24 * HOUR);
  });

  it('is open just after an inbound message', () => {
    expect(isWindowOpen(now, now)).toBe(true);
  });

  it('is open when the last inbound message is 23 hours old', () => {
    expect(isWindowOpen(now - 23 * HOUR, now)).toBe(true);
  });

  it('is still open when the last inbound message is exactly 24 hours old', () => {
    expect(isWindowOpen(now - 24 * HOUR, now)).toBe(true);
  });

  it('is closed when the last inbound message is more than 24 hours old', () => {
    expect(isWindowOpen(now - 24 * HOUR - 1, now)).toBe(false);
    expect(isWindowOpen(now - 72 * HOUR, now)).toBe(false);
  });

  it('is closed when the contact has never written on the number', () => {
    expect(isWindowOpen(null, now)).toBe(false);
  });
});
