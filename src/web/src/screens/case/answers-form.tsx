import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../api/client.js';
import type { AnswerValue, CaseRecord, Question, Survey } from '../../api/types.js';
import { ErrorAlert } from '../../ui/components.js';

type Draft = Record<string, string>;

function toDraft(survey: Survey, answers: Record<string, unknown>): Draft {
  const draft: Draft = {};
  for (const q of survey.questions) {
    if (q.type === 'conversation') continue;
    const value = answers[q.name];
    draft[q.name] = value === null || value === undefined ? '' : String(value);
  }
  return draft;
}

function toAnswer(question: Question, raw: string): AnswerValue {
  const value = raw.trim();
  if (value === '') return null;
  if (question.type === 'integer' || question.type === 'decimal') {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  return raw;
}

/** The record's answers; read-only until the user holds the lock. */
export function AnswersForm({
  record,
  survey,
  editable,
  onSaved,
}: {
  record: CaseRecord;
  survey: Survey;
  editable: boolean;
  onSaved: (record: CaseRecord) => void;
}) {
  const saved = useMemo(() => toDraft(survey, record.answers), [survey, record.answers]);
  const [draft, setDraft] = useState<Draft>(saved);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [savedNotice, setSavedNotice] = useState(false);
  const formId = useId();
  const changed = survey.questions.filter((q) => q.type !== 'conversation' && (draft[q.name] ?? '') !== (saved[q.name] ?? ''));
  const dirty = changed.length > 0;

  // A live update replaces the answers unless the user is in the middle of editing them.
  useEffect(() => {
    if (!dirty) setDraft(saved);
  }, [saved]);
  useEffect(() => {
    if (!editable) setDraft(saved);
  }, [editable]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!dirty) return;
    setBusy(true);
    setError(null);
    try {
      const answers: Record<string, AnswerValue> = {};
      for (const q of changed) answers[q.name] = toAnswer(q, draft[q.name] ?? '');
      const updated = await api<CaseRecord>('PATCH', `/records/${record.caseNumber}`, { answers });
      onSaved(updated);
      setDraft(toDraft(survey, updated.answers));
      setSavedNotice(true);
      window.setTimeout(() => setSavedNotice(false), 2500);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="answers" onSubmit={submit} aria-label="Answers">
      {!editable && <p className="hint">Read-only. Lock the case for editing to change answers.</p>}
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {survey.questions.map((q) => (
        <AnswerField
          key={q.name}
          id={`${formId}-${q.name}`}
          question={q}
          value={draft[q.name] ?? ''}
          readOnly={!editable || busy}
          isStatus={survey.caseManagement?.statusQuestion === q.name}
          onChange={(value) => setDraft((d) => ({ ...d, [q.name]: value }))}
        />
      ))}
      {editable && (
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={!dirty || busy}>
            {busy ? 'Saving…' : 'Save answers'}
          </button>
          <button type="button" disabled={!dirty || busy} onClick={() => setDraft(saved)}>
            Undo changes
          </button>
          {savedNotice && (
            <span className="saved" role="status">
              Saved
            </span>
          )}
        </div>
      )}
    </form>
  );
}

function AnswerField({
  id,
  question,
  value,
  readOnly,
  isStatus,
  onChange,
}: {
  id: string;
  question: Question;
  value: string;
  readOnly: boolean;
  isStatus: boolean;
  onChange: (value: string) => void;
}) {
  const label = (
    <label htmlFor={id}>
      {question.label || question.name}
      {isStatus && <span className="muted"> (case status)</span>}
    </label>
  );
  switch (question.type) {
    case 'conversation':
      return (
        <div className="field">
          <span className="label">{question.label || question.name}</span>
          <p className="muted">The messages of this case, shown in the conversation.</p>
        </div>
      );
    case 'select_one':
      return (
        <div className="field">
          {label}
          <select id={id} value={value} disabled={readOnly} onChange={(e) => onChange(e.target.value)}>
            <option value="">—</option>
            {(question.choices ?? []).map((c) => (
              <option key={c.value} value={c.value}>
                {c.label || c.value}
              </option>
            ))}
            {value && !(question.choices ?? []).some((c) => c.value === value) && <option value={value}>{value}</option>}
          </select>
        </div>
      );
    case 'text':
      return (
        <div className="field">
          {label}
          <textarea id={id} rows={2} value={value} readOnly={readOnly} onChange={(e) => onChange(e.target.value)} />
        </div>
      );
    default: {
      const type =
        question.type === 'integer' || question.type === 'decimal' ? 'number' : question.type === 'date' ? 'date' : question.type === 'phone' ? 'tel' : 'text';
      return (
        <div className="field">
          {label}
          <input
            id={id}
            type={type}
            step={question.type === 'integer' ? 1 : question.type === 'decimal' ? 'any' : undefined}
            value={value}
            readOnly={readOnly}
            onChange={(e) => onChange(e.target.value)}
          />
        </div>
      );
    }
  }
}
