import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageTemplate, TemplateChoice } from '../../api/types.js';
import { fillTemplate } from '../../template-text.js';
import { InputField, SelectField } from '../../ui/fields.js';

/**
 * Choosing one of a number's templates and filling its `{{n}}` parameters, with the text the
 * person will read shown before sending (DESIGN.md §7 "Templates"). A template without a
 * body (part one's) that is the library's first is sent as part one sent it: `template: true`,
 * its parameters filled from the typed text.
 */
export interface TemplateSend {
  /** What the request's `template` carries; null until every parameter is filled. */
  payload: true | TemplateChoice | null;
  /** The typed text is what goes out (part one's template), not the filled body. */
  usesTypedText: boolean;
  /** The picker's controls, to place in a form. */
  controls: ReactNode;
  /** Back to the first template with empty values, after a send. */
  reset: () => void;
}

const keyOf = (t: MessageTemplate) => `${t.name}\u0000${t.language}`;

export function useTemplateSend(
  templates: readonly MessageTemplate[],
  /** `typedText: false` where only a chosen template can be sent (writing first): every template asks for its values. */
  options: { disabled?: boolean; idPrefix?: string; typedText?: boolean } = {},
): TemplateSend {
  const { t } = useTranslation('case');
  const [chosenKey, setChosenKey] = useState<string | null>(null);
  const [values, setValues] = useState<string[]>([]);
  const generated = useId();
  const prefix = options.idPrefix ?? generated;
  const template = templates.find((candidate) => keyOf(candidate) === chosenKey) ?? templates[0] ?? null;

  if (!template) {
    return {
      payload: null,
      usesTypedText: true,
      controls: <p className="hint">{t('templates.none')}</p>,
      reset: () => undefined,
    };
  }
  const usesTypedText = options.typedText !== false && !template.body && template === templates[0];
  const filled = template.parameters.map((_, i) => values[i]?.trim() ?? '');
  const complete = filled.every(Boolean);
  const payload: TemplateSend['payload'] = usesTypedText
    ? true
    : complete
      ? { name: template.name, language: template.language, parameters: filled }
      : null;

  const controls = (
    <div className="template-picker">
      <SelectField
        id={`${prefix}-template`}
        label={t('templates.label')}
        fieldClassName="field-inline"
        options={templates.map((option) => ({ value: keyOf(option), label: `${option.name} (${option.language})` }))}
        value={keyOf(template)}
        disabled={options.disabled}
        onChange={(e) => {
          setChosenKey(e.target.value);
          setValues([]);
        }}
      />
      {!usesTypedText &&
        template.parameters.map((parameter, i) => (
          <InputField
            key={`${keyOf(template)}-${i}`}
            id={`${prefix}-parameter-${i + 1}`}
            label={`{{${i + 1}}}`}
            hint={parameter === `{{${i + 1}}}` ? undefined : t('templates.example', { example: parameter })}
            value={values[i] ?? ''}
            disabled={options.disabled}
            required
            onChange={(e) => {
              const next = [...values];
              next[i] = e.target.value;
              setValues(next);
            }}
          />
        ))}
      {usesTypedText ? (
        <p className="hint">{t('templates.typedText')}</p>
      ) : (
        <figure className="template-preview">
          <figcaption>{t('templates.preview')}</figcaption>
          <blockquote className="quoted">
            <p className="msg-text" dir="auto" data-testid="template-preview">
              {template.body ? fillTemplate(template.body, filled) : `[${template.name}] ${filled.join(' · ')}`}
            </p>
          </blockquote>
        </figure>
      )}
    </div>
  );
  return { payload, usesTypedText, controls, reset: () => setValues([]) };
}
