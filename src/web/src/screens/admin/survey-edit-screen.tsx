import { useEffect, useId, useRef, useState, type SyntheticEvent, type InputHTMLAttributes } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
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
import { humaniseQuestionTypes, typeOptions } from './question-types.js';
import { describeTimeRules } from './time-rules-draft.js';

/** The form's fields; time rules and retention are edited on their own screen and kept as loaded. */
type Draft = Omit<Survey, 'id' | 'autoAssign' | 'businessHours' | 'alerts' | 'autoClose' | 'retention'> & { autoAssign?: boolean };

/** Types answered from the question's choices. */
const isSelect = (type: QuestionType) => type === 'select_one' || type === 'select_multiple';

/** A new survey starts with the questions most helplines keep, labelled in the console's language. */
const newSurvey = (t: TFunction<'admin'>): Draft => ({
  name: '',
  questions: [
    { name: 'contact', label: t('surveyEdit.defaults.contact'), type: 'phone' },
    { name: 'conversation', label: t('surveyEdit.defaults.conversation'), type: 'conversation' },
    {
      name: 'status',
      label: t('surveyEdit.defaults.status'),
      type: 'select_one',
      choices: [
        { value: 'new', label: t('surveyEdit.defaults.new') },
        { value: 'in_progress', label: t('surveyEdit.defaults.inProgress') },
        { value: 'closed', label: t('surveyEdit.defaults.closed') },
      ],
    },
  ],
  caseManagement: { statusQuestion: 'status', finalStatus: 'closed' },
});

export function SurveyEditScreen({ surveyId }: { surveyId: string | null }) {
  const { t } = useTranslation(['admin', 'common']);
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
  const draft = edited ?? (surveyId === null ? newSurvey(t) : stored);
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
    <Screen
      title={
        surveyId === null
          ? t('surveyEdit.newSurvey')
          : draft.name
            ? t('surveyEdit.editNamed', { name: draft.name })
            : t('surveyEdit.editSurvey')
      }
      crumb={{ href: paths.surveys(), label: t('surveys.title') }}
    >
      <form onSubmit={(event) => void submit(event)} className="stack">
        {error && (
          <div ref={alert} tabIndex={-1}>
            <ErrorAlert error={humaniseQuestionTypes(error)} onDismiss={() => setError(null)} />
          </div>
        )}
        <InputField
          label={t('surveyEdit.surveyName')}
          required
          dir="auto"
          value={draft.name}
          onChange={(e) => setDraft({ ...draft, name: e.target.value })}
        />

        <fieldset className="card">
          <legend>{t('surveyEdit.questions')}</legend>
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
            {t('surveyEdit.addQuestion')}
          </button>
        </fieldset>

        <fieldset className="card">
          <legend>{t('surveyEdit.caseManagement')}</legend>
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
            {t('surveyEdit.caseManagementOn')}
          </label>
          {cm && (
            <div className="form-grid">
              <SelectField
                label={t('surveyEdit.statusQuestion')}
                placeholder={t('surveyEdit.statusQuestionPlaceholder')}
                options={questionOptions(selectQuestions)}
                value={cm.statusQuestion}
                onChange={(e) => {
                  const q = selectQuestions.find((x) => x.name === e.target.value);
                  setDraft({ ...draft, caseManagement: { statusQuestion: e.target.value, finalStatus: q?.choices?.at(-1)?.value ?? '' } });
                }}
              />
              <SelectField
                label={t('surveyEdit.finalStatus')}
                placeholder={t('surveyEdit.finalStatusPlaceholder')}
                options={choiceOptions((statusQuestion?.choices ?? []).filter((c) => c.value))}
                value={cm.finalStatus}
                onChange={(e) => setDraft({ ...draft, caseManagement: { ...cm, finalStatus: e.target.value } })}
              />
            </div>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>{t('surveyEdit.assignment')}</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.autoAssign ?? false}
              onChange={(e) => setDraft({ ...draft, autoAssign: e.target.checked })}
            />
            {t('surveyEdit.autoAssign')}
          </label>
          <p className="hint">{t('surveyEdit.autoAssignHint')}</p>
        </fieldset>

        {surveyId !== null && loaded.data && (
          <section className="card" aria-labelledby="time-rules-title">
            <h2 id="time-rules-title" className="card-title">
              {t('surveyEdit.timeRules')}
            </h2>
            <p>{describeTimeRules(loaded.data)}</p>
            <a href={paths.surveyTimeRules(surveyId)}>{t('surveyEdit.editTimeRules')}</a>
          </section>
        )}

        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? t('common:actions.saving') : surveyId === null ? t('surveyEdit.create') : t('surveyEdit.save')}
          </button>
          <a href={paths.surveys()}>{t('common:actions.cancel')}</a>
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
  const { t } = useTranslation('admin');
  const n = index + 1;
  return (
    <li className="question">
      <div className="question-fields">
        <InputField
          label={t('surveyEdit.question.name', { n })}
          required
          pattern="[A-Za-z_][A-Za-z0-9_]*"
          title={t('surveyEdit.question.nameRule')}
          className="mono"
          value={question.name}
          onChange={(e) => onChange({ ...question, name: e.target.value })}
        />
        <InputField
          label={t('surveyEdit.question.label', { n })}
          fieldClassName="field-grow"
          dir="auto"
          value={question.label}
          onChange={(e) => onChange({ ...question, label: e.target.value })}
        />
        <SelectField
          label={t('surveyEdit.question.type', { n })}
          options={typeOptions()}
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
            aria-label={t('surveyEdit.question.moveUp', { n })}
            disabled={index === 0}
            onClick={() => onMove(-1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="button-icon"
            aria-label={t('surveyEdit.question.moveDown', { n })}
            disabled={index === count - 1}
            onClick={() => onMove(1)}
          >
            ↓
          </button>
          <button
            type="button"
            className="button-icon button-danger"
            aria-label={t('surveyEdit.question.remove', { n })}
            onClick={onRemove}
          >
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
  const { t } = useTranslation('admin');
  const update = (index: number, patch: Partial<Choice>) => onChange(choices.map((c, j) => (j === index ? { ...c, ...patch } : c)));
  return (
    <fieldset className="choices">
      <legend>{t('surveyEdit.choices.legend', { n })}</legend>
      {choices.map((choice, i) => (
        <div key={i} className="choice-row">
          <ChoiceInput
            label={t('surveyEdit.choices.value', { n: i + 1 })}
            className="mono"
            placeholder={t('surveyEdit.choices.valuePlaceholder')}
            pattern={valuesWithoutSpaces ? '\\S+' : undefined}
            title={valuesWithoutSpaces ? t('surveyEdit.choices.valueRule') : undefined}
            value={choice.value}
            onChange={(e) => update(i, { value: e.target.value })}
          />
          <ChoiceInput
            label={t('surveyEdit.choices.label', { n: i + 1 })}
            placeholder={t('surveyEdit.choices.labelPlaceholder')}
            dir="auto"
            value={choice.label}
            onChange={(e) => update(i, { label: e.target.value })}
          />
          <button
            type="button"
            className="button-icon button-danger"
            aria-label={t('surveyEdit.choices.remove', { n: i + 1 })}
            onClick={() => onChange(choices.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button type="button" className="button-quiet" onClick={() => onChange([...choices, { value: '', label: '' }])}>
        {t('surveyEdit.choices.add')}
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
