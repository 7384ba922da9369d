import { useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import type { AnswerValue, CaseRecord, Question, Survey } from '../../api/types.js';
import { choiceOptions } from '../../select-options.js';
import { ErrorAlert } from '../../ui/components.js';
import { InputField, SelectField, TextAreaField } from '../../ui/fields.js';
import { useRequest } from '../../ui/use-request.js';

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
  const { busy, error, setError, run } = useRequest();
  const [savedNotice, setSavedNotice] = useState(false);
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
    await run(async () => {
      const answers: Record<string, AnswerValue> = {};
      for (const q of changed) answers[q.name] = toAnswer(q, draft[q.name] ?? '');
      const updated = await api<CaseRecord>('PATCH', `/records/${record.caseNumber}`, { answers });
      onSaved(updated);
      setDraft(toDraft(survey, updated.answers));
      setSavedNotice(true);
      window.setTimeout(() => setSavedNotice(false), 2500);
    });
  };

  return (
    <form className="answers" onSubmit={submit} aria-label="Answers">
      {!editable && <p className="hint">Read-only. Lock the case for editing to change answers.</p>}
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {survey.questions.map((q) => (
        <AnswerField
          key={q.name}
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
  question,
  value,
  readOnly,
  isStatus,
  onChange,
}: {
  question: Question;
  value: string;
  readOnly: boolean;
  isStatus: boolean;
  onChange: (value: string) => void;
}) {
  const label = (
    <>
      {question.label || question.name}
      {isStatus && <span className="muted"> (case status)</span>}
    </>
  );
  const change = (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => onChange(event.target.value);
  switch (question.type) {
    case 'conversation':
      return (
        <div className="field">
          <span className="label">{question.label || question.name}</span>
          <p className="muted">The messages of this case, shown in the conversation.</p>
        </div>
      );
    case 'select_one': {
      const choices = question.choices ?? [];
      const options = choiceOptions(choices);
      // A stored value the survey no longer offers is still shown, not silently blanked.
      if (value && !choices.some((c) => c.value === value)) options.push({ value, label: value });
      return <SelectField label={label} placeholder="—" options={options} value={value} disabled={readOnly} onChange={change} />;
    }
    case 'text':
      return <TextAreaField label={label} rows={2} value={value} readOnly={readOnly} onChange={change} />;
    default: {
      const type =
        question.type === 'integer' || question.type === 'decimal' ? 'number' : question.type === 'date' ? 'date' : question.type === 'phone' ? 'tel' : 'text';
      return (
        <InputField
          label={label}
          type={type}
          step={question.type === 'integer' ? 1 : question.type === 'decimal' ? 'any' : undefined}
          value={value}
          readOnly={readOnly}
          onChange={change}
        />
      );
    }
  }
}
