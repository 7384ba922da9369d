import { useMemo, useState, type ChangeEvent, type ReactNode, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.js';
import type { AnswerValue, CaseRecord, Question, QuestionType, Survey } from '../../api/types.js';
import { choiceOptions } from '../../select-options.js';
import { ErrorAlert } from '../../ui/components.js';
import { InputField, SelectField, TextAreaField } from '../../ui/fields.js';
import { useRequest } from '../../ui/use-request.js';

/** Each answer as text; a `select_multiple` answer as its values space-separated, as in XLSForm (values hold no spaces). */
type Draft = Record<string, string>;

/** Questions whose answers the form edits: not the conversation, not a note. */
const isEditable = (question: Question) => question.type !== 'conversation' && question.type !== 'note';

function toDraft(survey: Survey, answers: Partial<Record<string, AnswerValue>>): Draft {
  const draft: Draft = {};
  for (const q of survey.questions) {
    if (!isEditable(q)) continue;
    const value = answers[q.name];
    draft[q.name] = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(' ') : String(value);
  }
  return draft;
}

const selectedValues = (raw: string) => raw.split(' ').filter(Boolean);

function toAnswer(question: Question, raw: string): AnswerValue {
  const value = raw.trim();
  if (value === '') return null;
  if (question.type === 'select_multiple') return selectedValues(value);
  if (question.type === 'integer' || question.type === 'decimal') {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  return raw;
}

/** What the user changed, and the reading of the case those changes were made on. */
interface Edits {
  values: Draft;
  /** The case's version and answers when the user started editing, or last rebased. */
  baseVersion: number;
  baseValues: Draft;
}

/**
 * The edits as they stand on the case as it is now. When none of the fields the user edited
 * changed since their base, the edits now stand on the new version; otherwise the old
 * version stays, and a save is refused.
 */
function rebase(edits: Edits, version: number, saved: Draft): Edits {
  if (edits.baseVersion === version) return edits;
  const untouched = Object.keys(edits.values).every((name) => (saved[name] ?? '') === (edits.baseValues[name] ?? ''));
  return untouched ? { ...edits, baseVersion: version, baseValues: saved } : edits;
}

/**
 * The record's answers; read-only until the user holds the lock. The form follows the case
 * (a close, a reopen, a colleague's save) in every field the user has not touched, and sends
 * only the fields they changed, with the version they were based on: a save never undoes a
 * status change it did not make (issue 11).
 */
export function AnswersForm({
  record,
  survey,
  editable,
  onSaved,
  onStale,
}: {
  record: CaseRecord;
  survey: Survey;
  editable: boolean;
  onSaved: (record: CaseRecord) => void;
  /** The server refused a save based on an older version: the case should be loaded again. */
  onStale: () => void;
}) {
  const { t } = useTranslation(['caseDetails', 'common']);
  const saved = useMemo(() => toDraft(survey, record.answers), [survey, record.answers]);
  const [kept, setEdits] = useState<Edits | null>(null);
  // Losing the lock drops the edits: they could no longer be saved.
  const [wasEditable, setWasEditable] = useState(editable);
  if (wasEditable !== editable) {
    setWasEditable(editable);
    if (!editable) setEdits(null);
  }
  const edits = kept && rebase(kept, record.version, saved);
  const { busy, error, setError, run } = useRequest();
  const [savedNotice, setSavedNotice] = useState(false);
  const valueOf = (name: string) => (edits && name in edits.values ? edits.values[name]! : (saved[name] ?? ''));
  const changed = survey.questions.filter(
    (q) => isEditable(q) && edits && q.name in edits.values && valueOf(q.name) !== (saved[q.name] ?? ''),
  );
  const dirty = changed.length > 0;

  const edit = (name: string, value: string) =>
    setEdits((current) => {
      const base = current && rebase(current, record.version, saved);
      return {
        values: { ...(base?.values ?? {}), [name]: value },
        baseVersion: base?.baseVersion ?? record.version,
        baseValues: base?.baseValues ?? saved,
      };
    });

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!dirty || !edits) return;
    await run(async () => {
      const answers: Record<string, AnswerValue> = {};
      for (const q of changed) answers[q.name] = toAnswer(q, valueOf(q.name));
      try {
        const updated = await api<CaseRecord>('PATCH', `/records/${record.caseNumber}`, { answers, version: edits.baseVersion });
        setEdits(null);
        onSaved(updated);
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 'stale_record') throw e;
        setEdits(null);
        onStale();
        throw new Error(t('answersForm.stale', { caseNumber: record.caseNumber }));
      }
      setSavedNotice(true);
      window.setTimeout(() => setSavedNotice(false), 2500);
    });
  };

  return (
    <form className="answers" onSubmit={(event) => void submit(event)} aria-label={t('answersForm.label')}>
      {!editable && <p className="hint">{record.redactedAt ? t('answersForm.readOnlyRedacted') : t('answersForm.readOnly')}</p>}
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      {survey.questions.map((q) => (
        <AnswerField
          key={q.name}
          question={q}
          value={valueOf(q.name)}
          readOnly={!editable || busy}
          isStatus={survey.caseManagement?.statusQuestion === q.name}
          onChange={(value) => edit(q.name, value)}
        />
      ))}
      {editable && (
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={!dirty || busy}>
            {busy ? t('common:actions.saving') : t('answersForm.save')}
          </button>
          <button type="button" disabled={!dirty || busy} onClick={() => setEdits(null)}>
            {t('answersForm.undo')}
          </button>
          {savedNotice && (
            <span className="saved" role="status">
              {t('answersForm.saved')}
            </span>
          )}
        </div>
      )}
    </form>
  );
}

/** The input of each question type that is typed into a one-line field. */
const INPUT_TYPES: Record<Exclude<QuestionType, 'conversation' | 'note' | 'select_one' | 'select_multiple' | 'text'>, string> = {
  integer: 'number',
  decimal: 'number',
  date: 'date',
  phone: 'tel',
};

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
  const { t } = useTranslation('caseDetails');
  // The survey's own words: their direction is their own, whatever the console's language.
  const label = (
    <>
      <span dir="auto">{question.label || question.name}</span>
      {isStatus && <span className="muted"> {t('answersForm.caseStatus')}</span>}
    </>
  );
  const change = (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => onChange(event.target.value);
  switch (question.type) {
    case 'conversation':
      return (
        <div className="field">
          <span className="label" dir="auto">
            {question.label || question.name}
          </span>
          <p className="muted">{t('answersForm.conversation')}</p>
        </div>
      );
    case 'note':
      return (
        <div className="field">
          <p dir="auto">{question.label || question.name}</p>
        </div>
      );
    case 'select_multiple':
      return <ChoiceCheckboxes question={question} label={label} value={value} readOnly={readOnly} onChange={onChange} />;
    case 'select_one': {
      const choices = question.choices ?? [];
      const options = choiceOptions(choices);
      // A stored value the survey no longer offers is still shown, not silently blanked.
      if (value && !choices.some((c) => c.value === value)) options.push({ value, label: value });
      return <SelectField label={label} placeholder="—" options={options} value={value} disabled={readOnly} onChange={change} />;
    }
    case 'text':
      return <TextAreaField label={label} rows={2} dir="auto" value={value} readOnly={readOnly} onChange={change} />;
    default: {
      const type = INPUT_TYPES[question.type];
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

/** A `select_multiple` answer as one checkbox per choice; the values stay in the choices' order. */
function ChoiceCheckboxes({
  question,
  label,
  value,
  readOnly,
  onChange,
}: {
  question: Question;
  label: ReactNode;
  value: string;
  readOnly: boolean;
  onChange: (value: string) => void;
}) {
  const choices = question.choices ?? [];
  const selected = selectedValues(value);
  // A stored value the survey no longer offers is still shown, not silently dropped.
  const offered = [...choices, ...selected.filter((v) => !choices.some((c) => c.value === v)).map((v) => ({ value: v, label: v }))];
  const toggle = (choice: string, checked: boolean) =>
    onChange(
      offered
        .map((c) => c.value)
        .filter((v) => (v === choice ? checked : selected.includes(v)))
        .join(' '),
    );
  return (
    <fieldset className="field choice-checkboxes">
      <legend className="label">{label}</legend>
      {offered.map((choice) => (
        <label key={choice.value} className="check">
          <input
            type="checkbox"
            checked={selected.includes(choice.value)}
            disabled={readOnly}
            onChange={(event) => toggle(choice.value, event.target.checked)}
          />
          <span dir="auto">{choice.label || choice.value}</span>
        </label>
      ))}
    </fieldset>
  );
}
