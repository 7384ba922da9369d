import { describe, expect, it } from 'vitest';
import '../../support/console-english.js';
import { chipTextColor, LABEL_SWATCHES } from '../../../src/web/src/label-colors.js';

describe('label chip text', () => {
  it('is white on dark colours and black on light ones', () => {
    expect(chipTextColor('#000000')).toBe('#ffffff');
    expect(chipTextColor('#1f3a93')).toBe('#ffffff');
    expect(chipTextColor('#ffffff')).toBe('#000000');
    expect(chipTextColor('#F2C500')).toBe('#000000');
  });

  it('reads at least 4.5:1 on every offered colour', () => {
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    for (const [color] of LABEL_SWATCHES) {
      const [a, b] = [luminance(color), luminance(chipTextColor(color))].sort((x, y) => y - x);
      expect((a! + 0.05) / (b! + 0.05), color).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('falls back to black for a colour it cannot read', () => {
    expect(chipTextColor('red')).toBe('#000000');
  });
});
