import { useId, type InputHTMLAttributes, type ReactNode, type Ref, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

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

/** The attributes `Field` puts on the control it labels. */
interface ControlIds {
  id: string;
  'aria-describedby': string | undefined;
}

/**
 * A label, the control it names, and an optional hint the control is described by, so
 * screen readers and `getByLabel` find every field the same way. The control gets the
 * caller's id, or a generated one.
 */
function Field({
  label,
  hint,
  fieldClassName,
  id,
  describedBy,
  children,
}: FieldProps & { id: string | undefined; describedBy: string | undefined; children: (control: ControlIds) => ReactNode }) {
  const generatedId = useId();
  const controlId = id ?? generatedId;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const ariaDescribedBy = [describedBy, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={fieldClassName ? `field ${fieldClassName}` : 'field'}>
      <label htmlFor={controlId}>{label}</label>
      {children({ id: controlId, 'aria-describedby': ariaDescribedBy })}
      {hint && (
        <span id={hintId} className="hint">
          {hint}
        </span>
      )}
    </div>
  );
}

/** Separates what `Field` draws from the attributes that go on the control itself. */
function splitFieldProps<P extends FieldProps & { id?: string; 'aria-describedby'?: string }>(props: P) {
  const { label, hint, fieldClassName, id, 'aria-describedby': describedBy, ...control } = props;
  return [{ label, hint, fieldClassName, id, describedBy }, control] as const;
}

export function InputField(props: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const [field, input] = splitFieldProps(props);
  return <Field {...field}>{(ids) => <input {...input} {...ids} />}</Field>;
}

export function TextAreaField(props: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement> & { ref?: Ref<HTMLTextAreaElement> }) {
  const [field, textarea] = splitFieldProps(props);
  return <Field {...field}>{(ids) => <textarea {...textarea} {...ids} />}</Field>;
}

/** A select whose first option, when `placeholder` is given, is that text with the value "". */
export function SelectField({
  options,
  placeholder,
  ...props
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { options: readonly SelectOption[]; placeholder?: string }) {
  const [field, select] = splitFieldProps(props);
  return (
    <Field {...field}>
      {(ids) => (
        <select {...select} {...ids}>
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
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
