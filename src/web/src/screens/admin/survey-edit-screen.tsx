import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../api/client.js';
import { QUESTION_TYPES, type Choice, type Question, type QuestionType, type Survey } from '../../api/types.js';
import { navigate, paths } from '../../router.js';
import { useApp } from '../../session.js';
import { ErrorAlert, Loading } from '../../ui/components.js';

const TYPE_LABELS: Record<QuestionType, string> = {
  text: 'Text',
  integer: 'Whole number',
  decimal: 'Decimal number',
  date: 'Date',
  select_one: 'Select one',
  phone: 'Phone number',
  conversation: 'Conversation',
};

interface Draft {
  name: string;
  questions: Question[];
  caseManagement: { statusQuestion: string; finalStatus: string } | null;
}

const NEW_SURVEY: Draft = {
  name: '',
  questions: [
    { name: 'contact', label: 'Contact number', type: 'phone' },
    { name: 'conversation', label: 'Conversation', type: 'conversation' },
    {
      name: 'status',
      label: 'Status',
      type: 'select_one',
      choices: [
        { value: 'new', label: 'New' },
        { value: 'in_progress', label: 'In progress' },
        { value: 'closed', label: 'Closed' },
      ],
    },
  ],
  caseManagement: { statusQuestion: 'status', finalStatus: 'closed' },
};

export function SurveyEditScreen({ surveyId }: { surveyId: string | null }) {
  const { reloadSurveys } = useApp();
  const [draft, setDraft] = useState<Draft | null>(surveyId === null ? NEW_SURVEY : null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  useEffect(() => {
    if (surveyId === null) return;
    api<Survey>('GET', `/surveys/${encodeURIComponent(surveyId)}`)
      .then((s) => setDraft({ name: s.name, questions: s.questions, caseManagement: s.caseManagement }))
      .catch((e: unknown) => setError(errorMessage(e)));
  }, [surveyId]);

  if (!draft) return error ? <ErrorAlert error={error} /> : <Loading />;

  const selectQuestions = draft.questions.filter((q) => q.type === 'select_one' && q.name);
  const cm = draft.caseManagement;
  const statusQuestion = cm ? draft.questions.find((q) => q.name === cm.statusQuestion) : undefined;

  const setQuestion = (index: number, question: Question) =>
    setDraft({ ...draft, questions: draft.questions.map((q, i) => (i === index ? question : q)) });
  const moveQuestion = (index: number, by: number) => {
    const questions = [...draft.questions];
    const [moved] = questions.splice(index, 1);
    if (!moved) return;
    questions.splice(index + by, 0, moved);
    setDraft({ ...draft, questions });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = {
        name: draft.name.trim(),
        questions: draft.questions.map((q) =>
          q.type === 'select_one' ? { ...q, choices: (q.choices ?? []).filter((c) => c.value) } : { name: q.name, label: q.label, type: q.type },
        ),
        caseManagement: draft.caseManagement,
      };
      if (surveyId === null) await api<Survey>('POST', '/surveys', body);
      else await api<Survey>('PATCH', `/surveys/${encodeURIComponent(surveyId)}`, body);
      await reloadSurveys();
      navigate(paths.surveys());
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <section className="page" aria-labelledby={`${id}-title`}>
      <p className="crumbs">
        <a href={paths.surveys()}>Surveys</a>
      </p>
      <h1 id={`${id}-title`}>{surveyId === null ? 'New survey' : `Edit ${draft.name || 'survey'}`}</h1>
      <form onSubmit={submit} className="stack">
        <ErrorAlert error={error} onDismiss={() => setError(null)} />
        <div className="field">
          <label htmlFor={`${id}-name`}>Survey name</label>
          <input id={`${id}-name`} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </div>

        <fieldset className="card">
          <legend>Questions</legend>
          <ol className="question-list">
            {draft.questions.map((question, index) => (
              <QuestionRow
                key={index}
                index={index}
                count={draft.questions.length}
                question={question}
                onChange={(q) => setQuestion(index, q)}
                onMove={(by) => moveQuestion(index, by)}
                onRemove={() => setDraft({ ...draft, questions: draft.questions.filter((_, i) => i !== index) })}
              />
            ))}
          </ol>
          <button
            type="button"
            onClick={() =>
              setDraft({ ...draft, questions: [...draft.questions, { name: '', label: '', type: 'text' }] })
            }
          >
            Add question
          </button>
        </fieldset>

        <fieldset className="card">
          <legend>Case management</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={cm !== null}
              onChange={(e) => {
                const first = selectQuestions[0];
                setDraft({
                  ...draft,
                  caseManagement: e.target.checked
                    ? { statusQuestion: first?.name ?? '', finalStatus: first?.choices?.[0]?.value ?? '' }
                    : null,
                });
              }}
            />
            Records of this survey are cases that are open until their status reaches a final value
          </label>
          {cm && (
            <div className="form-grid">
              <div className="field">
                <label htmlFor={`${id}-status`}>Status question</label>
                <select
                  id={`${id}-status`}
                  value={cm.statusQuestion}
                  onChange={(e) => {
                    const q = selectQuestions.find((x) => x.name === e.target.value);
                    setDraft({ ...draft, caseManagement: { statusQuestion: e.target.value, finalStatus: q?.choices?.at(-1)?.value ?? '' } });
                  }}
                >
                  <option value="">Choose a select-one question</option>
                  {selectQuestions.map((q) => (
                    <option key={q.name} value={q.name}>
                      {q.label || q.name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`${id}-final`}>Final status (closes the case)</label>
                <select
                  id={`${id}-final`}
                  value={cm.finalStatus}
                  onChange={(e) => setDraft({ ...draft, caseManagement: { ...cm, finalStatus: e.target.value } })}
                >
                  <option value="">Choose a status</option>
                  {(statusQuestion?.choices ?? []).filter((c) => c.value).map((c) => (
                    <option key={c.value} value={c.value}>
                      {c.label || c.value}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          )}
        </fieldset>

        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Saving…' : surveyId === null ? 'Create survey' : 'Save survey'}
          </button>
          <a href={paths.surveys()}>Cancel</a>
        </div>
      </form>
    </section>
  );
}

function QuestionRow({
  index,
  count,
  question,
  onChange,
  onMove,
  onRemove,
}: {
  index: number;
  count: number;
  question: Question;
  onChange: (q: Question) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const n = index + 1;
  return (
    <li className="question">
      <div className="question-fields">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name {n}</label>
          <input
            id={`${id}-name`}
            required
            pattern="[A-Za-z_][A-Za-z0-9_]*"
            title="Letters, digits and _, not starting with a digit"
            className="mono"
            value={question.name}
            onChange={(e) => onChange({ ...question, name: e.target.value })}
          />
        </div>
        <div className="field field-grow">
          <label htmlFor={`${id}-label`}>Label {n}</label>
          <input id={`${id}-label`} value={question.label} onChange={(e) => onChange({ ...question, label: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-type`}>Type {n}</label>
          <select
            id={`${id}-type`}
            value={question.type}
            onChange={(e) => {
              const type = e.target.value as QuestionType;
              onChange(type === 'select_one' ? { ...question, type, choices: question.choices ?? [{ value: '', label: '' }] } : { ...question, type });
            }}
          >
            {QUESTION_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        <div className="question-buttons">
          <button type="button" className="button-icon" aria-label={`Move question ${n} up`} disabled={index === 0} onClick={() => onMove(-1)}>
            ↑
          </button>
          <button
            type="button"
            className="button-icon"
            aria-label={`Move question ${n} down`}
            disabled={index === count - 1}
            onClick={() => onMove(1)}
          >
            ↓
          </button>
          <button type="button" className="button-icon button-danger" aria-label={`Remove question ${n}`} onClick={onRemove}>
            ×
          </button>
        </div>
      </div>
      {question.type === 'select_one' && (
        <ChoicesEditor n={n} choices={question.choices ?? []} onChange={(choices) => onChange({ ...question, choices })} />
      )}
    </li>
  );
}

function ChoicesEditor({ n, choices, onChange }: { n: number; choices: Choice[]; onChange: (choices: Choice[]) => void }) {
  const id = useId();
  return (
    <fieldset className="choices">
      <legend>Choices of question {n}</legend>
      {choices.map((choice, i) => (
        <div key={i} className="choice-row">
          <label className="visually-hidden" htmlFor={`${id}-v${i}`}>
            Value of choice {i + 1}
          </label>
          <input
            id={`${id}-v${i}`}
            className="mono"
            placeholder="value"
            value={choice.value}
            onChange={(e) => onChange(choices.map((c, j) => (j === i ? { ...c, value: e.target.value } : c)))}
          />
          <label className="visually-hidden" htmlFor={`${id}-l${i}`}>
            Label of choice {i + 1}
          </label>
          <input
            id={`${id}-l${i}`}
            placeholder="label"
            value={choice.label}
            onChange={(e) => onChange(choices.map((c, j) => (j === i ? { ...c, label: e.target.value } : c)))}
          />
          <button
            type="button"
            className="button-icon button-danger"
            aria-label={`Remove choice ${i + 1}`}
            onClick={() => onChange(choices.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button type="button" className="button-quiet" onClick={() => onChange([...choices, { value: '', label: '' }])}>
        Add choice
      </button>
    </fieldset>
  );
}
