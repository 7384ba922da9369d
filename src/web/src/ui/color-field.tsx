import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { chipTextColor, LABEL_SWATCHES } from '../label-colors.js';

/**
 * A colour: a row of named swatches (radio buttons, so a keyboard and a screen reader pick
 * one by name) and the browser's own picker for any other.
 */
export function ColorField({ label, value, onChange }: { label: string; value: string; onChange: (color: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const custom = !LABEL_SWATCHES.some(([color]) => color === value.toLowerCase());
  return (
    <fieldset className="field color-field">
      <legend className="label">{label}</legend>
      <div className="swatches">
        {LABEL_SWATCHES.map(([color, name]) => (
          <label key={color} className="swatch" title={name}>
            <input type="radio" name={id} value={color} checked={value.toLowerCase() === color} onChange={() => onChange(color)} />
            <span className="swatch-color" style={{ backgroundColor: color, color: chipTextColor(color) }} aria-hidden="true">
              {value.toLowerCase() === color ? '✓' : ''}
            </span>
            <span className="visually-hidden">{name}</span>
          </label>
        ))}
        <label className="swatch-custom">
          <input type="color" value={value} onChange={(e) => onChange(e.target.value)} />
          <span>{custom ? t('color.otherValue', { value }) : t('color.other')}</span>
        </label>
      </div>
    </fieldset>
  );
}
