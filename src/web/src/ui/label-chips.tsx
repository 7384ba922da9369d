import { useTranslation } from 'react-i18next';
import type { Label } from '../api/types.js';
import { chipTextColor } from '../label-colors.js';

/** One label, in its colour. */
export function LabelChip({ label }: { label: Pick<Label, 'name' | 'color'> }) {
  return (
    <span className="label-chip" style={{ backgroundColor: label.color, color: chipTextColor(label.color) }} dir="auto">
      {label.name}
    </span>
  );
}

/** A case's labels as coloured chips; nothing when it has none. */
export function LabelChips({ labels, className }: { labels: readonly Label[]; className?: string }) {
  const { t } = useTranslation();
  if (labels.length === 0) return null;
  return (
    <ul className={className ? `label-chips ${className}` : 'label-chips'} aria-label={t('labels')}>
      {labels.map((label) => (
        <li key={label.id}>
          <LabelChip label={label} />
        </li>
      ))}
    </ul>
  );
}
