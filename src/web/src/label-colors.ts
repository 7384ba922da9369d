import i18next from 'i18next';

/**
 * Label chips are drawn in the label's own colour, so their text takes whichever of black
 * and white reads better on it (WCAG 2 contrast), whatever colour an admin chose.
 */
export function chipTextColor(background: string): '#000000' | '#ffffff' {
  const luminance = relativeLuminance(background);
  if (luminance === null) return '#000000';
  // Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05): the larger wins.
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? '#000000' : '#ffffff';
}

function relativeLuminance(color: string): number | null {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!match) return null;
  const [r, g, b] = match.slice(1).map((hex) => {
    const c = parseInt(hex, 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const SWATCHES = [
  ['#d62728', 'admin:labels.colors.red'],
  ['#ff7f0e', 'admin:labels.colors.orange'],
  ['#f2c500', 'admin:labels.colors.yellow'],
  ['#2ca02c', 'admin:labels.colors.green'],
  ['#17becf', 'admin:labels.colors.teal'],
  ['#1f77b4', 'admin:labels.colors.blue'],
  ['#9467bd', 'admin:labels.colors.purple'],
  ['#e377c2', 'admin:labels.colors.pink'],
  ['#8c564b', 'admin:labels.colors.brown'],
  ['#7f7f7f', 'admin:labels.colors.grey'],
] as const;

/**
 * Colours offered when making a label, each with its name; any other can be picked too. The
 * name is looked up each time it is read, so it is in the language the console shows then.
 */
export const LABEL_SWATCHES: readonly (readonly [color: string, name: string])[] = SWATCHES.map(([color, key]) =>
  Object.defineProperty([color, ''], 1, { enumerable: true, get: () => i18next.t(key) }),
);
