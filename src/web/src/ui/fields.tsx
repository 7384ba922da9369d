import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';

/** What every labelled field takes besides its control's own attributes. */
interface FieldProps {
  label: ReactNode;
  /** Shown under the control and read out with it (aria-describedby). */
  hint?: ReactNode;
  /** Added to `field`, e.g. `field-grow` or `field-inline`. */
  fieldClassName?: string;
}

export interface SelectOption {
  value: string;
  label: string;
}

/**
 * Gives the control an id (the caller's, or a generated one) and ties the label and hint
 * to it, so screen readers and `getByLabel` find every field the same way.
 */
function useFieldIds(id: string | undefined, hint: ReactNode, describedBy: string | undefined) {
  const generated = useId();
  const controlId = id ?? generated;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const ariaDescribedBy = [describedBy, hintId].filter(Boolean).join(' ') || undefined;
  return { controlId, hintId, ariaDescribedBy };
}

function FieldFrame({
  controlId,
  hintId,
  label,
  hint,
  fieldClassName,
  children,
}: FieldProps & { controlId: string; hintId: string | undefined; children: ReactNode }) {
  return (
    <div className={fieldClassName ? `field ${fieldClassName}` : 'field'}>
      <label htmlFor={controlId}>{label}</label>
      {children}
      {hint && (
        <span id={hintId} className="hint">
          {hint}
        </span>
      )}
    </div>
  );
}

export function InputField({
  label,
  hint,
  fieldClassName,
  id,
  'aria-describedby': describedBy,
  ...input
}: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const { controlId, hintId, ariaDescribedBy } = useFieldIds(id, hint, describedBy);
  return (
    <FieldFrame controlId={controlId} hintId={hintId} label={label} hint={hint} fieldClassName={fieldClassName}>
      <input id={controlId} aria-describedby={ariaDescribedBy} {...input} />
    </FieldFrame>
  );
}

export function TextAreaField({
  label,
  hint,
  fieldClassName,
  id,
  'aria-describedby': describedBy,
  ...textarea
}: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { controlId, hintId, ariaDescribedBy } = useFieldIds(id, hint, describedBy);
  return (
    <FieldFrame controlId={controlId} hintId={hintId} label={label} hint={hint} fieldClassName={fieldClassName}>
      <textarea id={controlId} aria-describedby={ariaDescribedBy} {...textarea} />
    </FieldFrame>
  );
}

/** A select whose first option, when `placeholder` is given, is that text with the value "". */
export function SelectField({
  label,
  hint,
  fieldClassName,
  id,
  'aria-describedby': describedBy,
  options,
  placeholder,
  ...select
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { options: readonly SelectOption[]; placeholder?: string }) {
  const { controlId, hintId, ariaDescribedBy } = useFieldIds(id, hint, describedBy);
  return (
    <FieldFrame controlId={controlId} hintId={hintId} label={label} hint={hint} fieldClassName={fieldClassName}>
      <select id={controlId} aria-describedby={ariaDescribedBy} {...select}>
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** Radio buttons drawn as one segmented control; picking one calls `onChange` with its value. */
export function SegmentedChoice<T extends string>({
  legend,
  name,
  options,
  value,
  onChange,
}: {
  legend: string;
  name: string;
  options: readonly (readonly [T, string])[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="segmented">
      <legend>{legend}</legend>
      {options.map(([optionValue, optionLabel]) => (
        <label key={optionValue}>
          <input type="radio" name={name} value={optionValue} checked={value === optionValue} onChange={() => onChange(optionValue)} />
          <span>{optionLabel}</span>
        </label>
      ))}
    </fieldset>
  );
}
