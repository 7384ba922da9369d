import { useEffect, useId, useRef, useState, type SyntheticEvent, type InputHTMLAttributes } from 'react';
import { api } from '../../api/client.js';
import type { Choice, Question, QuestionType, Survey } from '../../api/types.js';
import { navigate, paths } from '../../router.js';
import { choiceOptions, questionOptions } from '../../select-options.js';
import { useApp } from '../../session.js';
import { ErrorAlert, LoadingOrError } from '../../ui/components.js';
import { InputField, SelectField } from '../../ui/fields.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';
import { humaniseQuestionTypes, TYPE_OPTIONS } from './question-types.js';
import { describeTimeRules } from './time-rules-draft.js';

/** The form's fields; time rules and retention are edited on their own screen and kept as loaded. */
type Draft = Omit<Survey, 'id' | 'autoAssign' | 'businessHours' | 'alerts' | 'autoClose' | 'retention'> & { autoAssign?: boolean };

/** Types answered from the question's choices. */
const isSelect = (type: QuestionType) => type === 'select_one' || type === 'select_multiple';

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
  const loaded = useLoad(
    async () => (surveyId === null ? null : api<Survey>('GET', `/surveys/${encodeURIComponent(surveyId)}`)),
    [surveyId],
  );
  // The form as the user changed it, or else the survey as stored.
  const [edited, setDraft] = useState<Draft | null>(null);
  const stored = loaded.data && {
    name: loaded.data.name,
    questions: loaded.data.questions,
    caseManagement: loaded.data.caseManagement,
    autoAssign: loaded.data.autoAssign,
  };
  const draft = edited ?? (surveyId === null ? NEW_SURVEY : stored);
  const { busy, error, setError, run } = useRequest();
  const alert = useRef<HTMLDivElement>(null);

  // The error shows above the form, which may be scrolled out of view by a long list of
  // questions: bring it into view and move focus to it, so it is seen and read out.
  useEffect(() => {
    if (!error || !alert.current) return;
    alert.current.scrollIntoView({ block: 'center' });
    alert.current.focus({ preventScroll: true });
  }, [error]);

  if (!draft) return <LoadingOrError error={loaded.error} />;

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

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    // Saving goes back to the list, so the button stays busy until this screen is gone.
    await run(
      async () => {
        const body = {
          name: draft.name.trim(),
          questions: draft.questions.map((q) =>
            isSelect(q.type) ? { ...q, choices: (q.choices ?? []).filter((c) => c.value) } : { name: q.name, label: q.label, type: q.type },
          ),
          caseManagement: draft.caseManagement,
          autoAssign: draft.autoAssign ?? false,
        };
        if (surveyId === null) await api<Survey>('POST', '/surveys', body);
        else await api<Survey>('PATCH', `/surveys/${encodeURIComponent(surveyId)}`, body);
        await reloadSurveys();
        navigate(paths.surveys());
      },
      { keepBusyOnSuccess: true },
    );
  };

  return (
    <Screen title={surveyId === null ? 'New survey' : `Edit ${draft.name || 'survey'}`} crumb={{ href: paths.surveys(), label: 'Surveys' }}>
      <form onSubmit={(event) => void submit(event)} className="stack">
        {error && (
          <div ref={alert} tabIndex={-1}>
            <ErrorAlert error={humaniseQuestionTypes(error)} onDismiss={() => setError(null)} />
          </div>
        )}
        <InputField label="Survey name" required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />

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
            onClick={() => setDraft({ ...draft, questions: [...draft.questions, { name: '', label: '', type: 'text' }] })}
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
              <SelectField
                label="Status question"
                placeholder="Choose a select-one question"
                options={questionOptions(selectQuestions)}
                value={cm.statusQuestion}
                onChange={(e) => {
                  const q = selectQuestions.find((x) => x.name === e.target.value);
                  setDraft({ ...draft, caseManagement: { statusQuestion: e.target.value, finalStatus: q?.choices?.at(-1)?.value ?? '' } });
                }}
              />
              <SelectField
                label="Final status (closes the case)"
                placeholder="Choose a status"
                options={choiceOptions((statusQuestion?.choices ?? []).filter((c) => c.value))}
                value={cm.finalStatus}
                onChange={(e) => setDraft({ ...draft, caseManagement: { ...cm, finalStatus: e.target.value } })}
              />
            </div>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>Assignment</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.autoAssign ?? false}
              onChange={(e) => setDraft({ ...draft, autoAssign: e.target.checked })}
            />
            Auto-assign new cases
          </label>
          <p className="hint">
            A new case goes to the available analyst with the fewest open cases, below their capacity (set on the Users screen). When nobody
            is free it waits unassigned until someone is.
          </p>
        </fieldset>

        {surveyId !== null && loaded.data && (
          <section className="card" aria-labelledby="time-rules-title">
            <h2 id="time-rules-title" className="card-title">
              Time rules
            </h2>
            <p>{describeTimeRules(loaded.data)}</p>
            <a href={paths.surveyTimeRules(surveyId)}>Edit business hours, alerts and auto-close</a>
          </section>
        )}

        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Saving…' : surveyId === null ? 'Create survey' : 'Save survey'}
          </button>
          <a href={paths.surveys()}>Cancel</a>
        </div>
      </form>
    </Screen>
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
  const n = index + 1;
  return (
    <li className="question">
      <div className="question-fields">
        <InputField
          label={`Name ${n}`}
          required
          pattern="[A-Za-z_][A-Za-z0-9_]*"
          title="Letters, digits and _, not starting with a digit"
          className="mono"
          value={question.name}
          onChange={(e) => onChange({ ...question, name: e.target.value })}
        />
        <InputField
          label={`Label ${n}`}
          fieldClassName="field-grow"
          value={question.label}
          onChange={(e) => onChange({ ...question, label: e.target.value })}
        />
        <SelectField
          label={`Type ${n}`}
          options={TYPE_OPTIONS}
          value={question.type}
          onChange={(e) => {
            const type = e.target.value as QuestionType;
            onChange(
              isSelect(type) ? { ...question, type, choices: question.choices ?? [{ value: '', label: '' }] } : { ...question, type },
            );
          }}
        />
        <div className="question-buttons">
          <button
            type="button"
            className="button-icon"
            aria-label={`Move question ${n} up`}
            disabled={index === 0}
            onClick={() => onMove(-1)}
          >
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
      {isSelect(question.type) && (
        <ChoicesEditor
          n={n}
          choices={question.choices ?? []}
          valuesWithoutSpaces={question.type === 'select_multiple'}
          onChange={(choices) => onChange({ ...question, choices })}
        />
      )}
    </li>
  );
}

function ChoicesEditor({
  n,
  choices,
  valuesWithoutSpaces,
  onChange,
}: {
  n: number;
  choices: Choice[];
  /** A select-several answer is written space-separated in spreadsheets, so its values cannot hold spaces. */
  valuesWithoutSpaces: boolean;
  onChange: (choices: Choice[]) => void;
}) {
  const update = (index: number, patch: Partial<Choice>) => onChange(choices.map((c, j) => (j === index ? { ...c, ...patch } : c)));
  return (
    <fieldset className="choices">
      <legend>Choices of question {n}</legend>
      {choices.map((choice, i) => (
        <div key={i} className="choice-row">
          <ChoiceInput
            label={`Value of choice ${i + 1}`}
            className="mono"
            placeholder="value"
            pattern={valuesWithoutSpaces ? '\\S+' : undefined}
            title={valuesWithoutSpaces ? 'No spaces: answers list the values separated by spaces' : undefined}
            value={choice.value}
            onChange={(e) => update(i, { value: e.target.value })}
          />
          <ChoiceInput
            label={`Label of choice ${i + 1}`}
            placeholder="label"
            value={choice.label}
            onChange={(e) => update(i, { label: e.target.value })}
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

/** One input of a choice row; the row has no room for visible labels, but screen readers need them. */
function ChoiceInput({ label, ...input }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <>
      <label className="visually-hidden" htmlFor={id}>
        {label}
      </label>
      <input id={id} {...input} />
    </>
  );
}
