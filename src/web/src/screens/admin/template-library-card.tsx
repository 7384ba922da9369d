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
  const { busy, error, setError, run } = useRequest();
  const canSync = saved !== null && saved.provider === 'whatsapp-cloud' && !saved.archivedAt;
  const setRow = (index: number, patch: Partial<TemplateDraft>) =>
    onChange(templates.map((t, i) => (i === index ? { ...t, ...patch } : t)));

  const sync = () =>
    run(async () => {
      if (!saved) return;
      const number = await caseJoinApi.syncTemplates(saved.id);
      onSynced(number, number.templates.length);
    });

  return (
    <fieldset className="card">
      <legend>WhatsApp templates</legend>
      <p className="hint">
        Only a template can reach a contact whose last message is more than 24 hours old. The body numbers its parameters {'{{1}}'},{' '}
        {'{{2}}'}…; list a name or an example for each, one a line. The first template is the one a plain template reply sends; a template
        without a body fills its parameters from the typed text ({'{text}'}).
      </p>
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {templates.length === 0 && <p className="empty">No templates.</p>}
      <ol className="template-rows">
        {templates.map((t, i) => {
          const expected = placeholderCount(t.body);
          const given = parameterList(t.parameters).length;
          return (
            <li key={i} className="template-row" aria-label={`Template ${i + 1}`}>
              <div className="form-grid">
                <InputField label="Name" value={t.name} onChange={(e) => setRow(i, { name: e.target.value })} />
                <InputField
                  label="Language"
                  placeholder="en"
                  value={t.language}
                  onChange={(e) => setRow(i, { language: e.target.value })}
                />
              </div>
              <TextAreaField label="Body" rows={2} dir="auto" value={t.body} onChange={(e) => setRow(i, { body: e.target.value })} />
              <TextAreaField
                label="Parameters (one a line)"
                rows={Math.max(1, Math.min(4, given || 1))}
                value={t.parameters}
                hint={t.body && expected !== given ? `The body has ${expected} placeholder(s); list one parameter for each.` : undefined}
                onChange={(e) => setRow(i, { parameters: e.target.value })}
              />
              <button type="button" className="button-link" onClick={() => onChange(templates.filter((_, j) => j !== i))}>
                Remove template {t.name || i + 1}
              </button>
            </li>
          );
        })}
      </ol>
      <div className="form-actions">
        <button type="button" onClick={() => onChange([...templates, EMPTY])}>
          Add template
        </button>
        {canSync && (
          <button type="button" onClick={() => void sync()} disabled={busy} title="Replaces the list with the templates Meta has approved">
            {busy ? 'Syncing…' : 'Sync approved templates'}
          </button>
        )}
      </div>
    </fieldset>
  );
}
