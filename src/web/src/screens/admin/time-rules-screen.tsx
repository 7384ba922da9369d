import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.js';
import type { Survey } from '../../api/types.js';
import { paths } from '../../router.js';
import { useApp } from '../../session.js';
import { ErrorAlert, LoadingOrError, SuccessAlert } from '../../ui/components.js';
import { InputField, TextAreaField } from '../../ui/fields.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';
import { BusinessHoursFields } from './business-hours-fields.js';
import { RetentionCard } from './retention-card.js';
import { browserTimeZone, timeRulesBody, timeRulesDraft, type TimeRulesDraft } from './time-rules-draft.js';

/**
 * A survey's time rules (DESIGN.md §8): business hours, alerts on cases that wait too long, and
 * auto-close of quiet cases. Saved with their own PATCH, apart from the survey's questions.
 */
export function TimeRulesScreen({ surveyId }: { surveyId: string }) {
  const { t } = useTranslation(['admin', 'common']);
  const { reloadSurveys } = useApp();
  const loaded = useLoad(() => api<Survey>('GET', `/surveys/${encodeURIComponent(surveyId)}`), [surveyId]);
  const [defaultZone] = useState(browserTimeZone);
  // The form as the admin changed it, or else the rules as stored.
  const [edited, setDraft] = useState<TimeRulesDraft | null>(null);
  const { busy, error, setError, run } = useRequest();
  const [notice, setNotice] = useState<string | null>(null);
  const alert = useRef<HTMLDivElement>(null);
  const survey = loaded.data;
  const draft = edited ?? (survey ? timeRulesDraft(survey, defaultZone) : null);

  // The form is long and the error shows at its top: bring it into view and read it out.
  useEffect(() => {
    if (!error || !alert.current) return;
    alert.current.scrollIntoView({ block: 'center' });
    alert.current.focus({ preventScroll: true });
  }, [error]);

  if (!survey || !draft) return <LoadingOrError error={loaded.error} />;
  const set = (change: Partial<TimeRulesDraft>) => {
    setNotice(null);
    setDraft({ ...draft, ...change });
  };

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setNotice(null);
    await run(async () => {
      const saved = await api<Survey>('PATCH', `/surveys/${encodeURIComponent(surveyId)}`, timeRulesBody(draft));
      loaded.update(() => saved);
      setDraft(null);
      setNotice(t('timeRules.saved'));
      // The number screens read the surveys' business hours from the session's list.
      await reloadSurveys();
    });
  };

  return (
    <Screen
      title={t('timeRules.title', { name: survey.name })}
      crumb={{ href: paths.survey(surveyId), label: survey.name }}
      beside={<p className="page-sub">{t('timeRules.intro')}</p>}
    >
      <SuccessAlert message={notice} />
      <form onSubmit={(event) => void submit(event)} className="stack" aria-label={t('timeRules.formLabel')}>
        {error && (
          <div ref={alert} tabIndex={-1}>
            <ErrorAlert error={error} onDismiss={() => setError(null)} />
          </div>
        )}

        <fieldset className="card">
          <legend>{t('timeRules.businessHours')}</legend>
          <label className="check">
            <input type="checkbox" checked={draft.hoursOn} onChange={(e) => set({ hoursOn: e.target.checked })} />
            {t('timeRules.keepHours')}
          </label>
          <p className="hint">{t('timeRules.hoursHint')}</p>
          {draft.hoursOn && <BusinessHoursFields draft={draft} onChange={set} />}
        </fieldset>

        <fieldset className="card">
          <legend>{t('timeRules.alerts')}</legend>
          <label className="check">
            <input type="checkbox" checked={draft.alertsOn} onChange={(e) => set({ alertsOn: e.target.checked })} />
            {t('timeRules.alertsOn')}
          </label>
          <p className="hint">{draft.hoursOn ? t('timeRules.alertsHintInHours') : t('timeRules.alertsHint')}</p>
          {draft.alertsOn && (
            <div className="form-grid">
              <InputField
                label={t('timeRules.firstAlert')}
                type="number"
                min={1}
                step={1}
                required
                value={draft.firstLevelMinutes}
                onChange={(e) => set({ firstLevelMinutes: e.target.value })}
              />
              <InputField
                label={t('timeRules.secondAlert')}
                hint={t('timeRules.secondAlertHint')}
                type="number"
                min={1}
                step={1}
                value={draft.secondLevelMinutes}
                onChange={(e) => set({ secondLevelMinutes: e.target.value })}
              />
              <TextAreaField
                label={t('timeRules.emails')}
                hint={t('timeRules.emailsHint')}
                rows={3}
                fieldClassName="field-grow"
                value={draft.emails}
                onChange={(e) => set({ emails: e.target.value })}
              />
            </div>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>{t('timeRules.autoClose')}</legend>
          <label className="check">
            <input type="checkbox" checked={draft.autoCloseOn} onChange={(e) => set({ autoCloseOn: e.target.checked })} />
            {t('timeRules.autoCloseOn')}
          </label>
          {draft.autoCloseOn && (
            <>
              <InputField
                label={t('timeRules.quietDays')}
                type="number"
                min={1}
                step={1}
                required
                value={draft.quietDays}
                onChange={(e) => set({ quietDays: e.target.value })}
              />
              <TextAreaField
                label={t('timeRules.closingText')}
                hint={t('timeRules.closingTextHint')}
                dir="auto"
                rows={3}
                maxLength={1600}
                value={draft.closingText}
                onChange={(e) => set({ closingText: e.target.value })}
              />
            </>
          )}
        </fieldset>

        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? t('common:actions.saving') : t('timeRules.submit')}
          </button>
          <a href={paths.survey(surveyId)}>{t('timeRules.backToSurvey')}</a>
        </div>
      </form>
      <RetentionCard
        survey={survey}
        onSaved={async (saved) => {
          loaded.update(() => saved);
          await reloadSurveys();
        }}
      />
    </Screen>
  );
}
