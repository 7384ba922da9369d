import { useTranslation } from 'react-i18next';
import { useRequest } from '../../ui/use-request.js';
import { caseJoinApi } from '../../api/case-joins.js';
import type { PhoneNumber } from '../../api/types.js';
import { parameterList } from '../../template-text.js';
import { ErrorAlert } from '../../ui/components.js';
import { InputField, TextAreaField } from '../../ui/fields.js';
import type { TemplateDraft } from './number-draft.js';

const EMPTY: TemplateDraft = { name: '', language: '', body: '', parameters: '' };

/** How many distinct `{{n}}` a body uses. */
function placeholderCount(body: string): number {
  return new Set([...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1])).size;
}

/**
 * A WhatsApp number's template library (DESIGN.md §7 "Templates"): rows to add, edit and
 * remove, saved with the number; a WhatsApp Cloud number reads Meta's approved templates
 * instead with "Sync approved templates".
 */
export function TemplateLibraryCard({
  templates,
  onChange,
  saved,
  onSynced,
}: {
  templates: TemplateDraft[];
  onChange: (templates: TemplateDraft[]) => void;
  /** The number as stored; a sync needs one of WhatsApp Cloud's. */
  saved: PhoneNumber | null;
  onSynced: (number: PhoneNumber, count: number) => void;
}) {
  const { t } = useTranslation('numbers');
  const { busy, error, setError, run } = useRequest();
  const canSync = saved !== null && saved.provider === 'whatsapp-cloud' && !saved.archivedAt;
  const setRow = (index: number, patch: Partial<TemplateDraft>) =>
    onChange(templates.map((template, i) => (i === index ? { ...template, ...patch } : template)));

  const sync = () =>
    run(async () => {
      if (!saved) return;
      const number = await caseJoinApi.syncTemplates(saved.id);
      onSynced(number, number.templates.length);
    });

  return (
    <fieldset className="card">
      <legend>{t('templates.legend')}</legend>
      <p className="hint">{t('templates.intro', { first: '{{1}}', second: '{{2}}' })}</p>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {templates.length === 0 && <p className="empty">{t('templates.empty')}</p>}
      <ol className="template-rows">
        {templates.map((template, i) => {
          const expected = placeholderCount(template.body);
          const given = parameterList(template.parameters).length;
          return (
            <li key={i} className="template-row" aria-label={t('templates.row', { number: i + 1 })}>
              <div className="form-grid">
                <InputField label={t('templates.name')} value={template.name} onChange={(e) => setRow(i, { name: e.target.value })} />
                <InputField
                  label={t('templates.language')}
                  placeholder="en"
                  value={template.language}
                  onChange={(e) => setRow(i, { language: e.target.value })}
                />
              </div>
              <TextAreaField
                label={t('templates.body')}
                rows={2}
                dir="auto"
                value={template.body}
                onChange={(e) => setRow(i, { body: e.target.value })}
              />
              <TextAreaField
                label={t('templates.parameters')}
                dir="auto"
                rows={Math.max(1, Math.min(4, given || 1))}
                value={template.parameters}
                hint={template.body && expected !== given ? t('templates.parameterCount', { count: expected }) : undefined}
                onChange={(e) => setRow(i, { parameters: e.target.value })}
              />
              <button type="button" className="button-link" onClick={() => onChange(templates.filter((_, j) => j !== i))}>
                {t('templates.remove', { name: template.name || i + 1 })}
              </button>
            </li>
          );
        })}
      </ol>
      <div className="form-actions">
        <button type="button" onClick={() => onChange([...templates, EMPTY])}>
          {t('templates.add')}
        </button>
        {canSync && (
          <button type="button" onClick={() => void sync()} disabled={busy} title={t('templates.syncTitle')}>
            {busy ? t('templates.syncing') : t('templates.sync')}
          </button>
        )}
      </div>
    </fieldset>
  );
}
