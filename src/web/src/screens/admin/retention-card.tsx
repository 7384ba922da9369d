import { useState, type SyntheticEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { privacyApi } from '../../api/privacy.js';
import type { RetentionCounts, Survey } from '../../api/types.js';
import { formatFullTime } from '../../format.js';
import { describeCounts } from '../../privacy-words.js';
import { Dialog, ErrorAlert, Notice, SuccessAlert } from '../../ui/components.js';
import { InputField } from '../../ui/fields.js';
import { useLoad } from '../../ui/use-load.js';
import { useRequest } from '../../ui/use-request.js';

interface RetentionDraft {
  on: boolean;
  days: string;
}

function draftOf(survey: Survey): RetentionDraft {
  return survey.retention ? { on: true, days: String(survey.retention.closedCaseDays) } : { on: false, days: '' };
}

/** What was typed, or NaN for the server to name: the console does not second-guess its rules. */
function daysOf(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text.trim());
}

/**
 * A survey's retention (DESIGN.md §9): closed cases are redacted a number of days after they
 * closed. Saved apart from the other time rules; counts what a run would take, and runs it now.
 */
export function RetentionCard({ survey, onSaved }: { survey: Survey; onSaved: (saved: Survey) => Promise<void> }) {
  const { t } = useTranslation(['privacy', 'common']);
  const surveyId = survey.id;
  const status = useLoad(() => privacyApi.retention(surveyId), [surveyId]);
  const [edited, setDraft] = useState<RetentionDraft | null>(null);
  const draft = edited ?? draftOf(survey);
  const save = useRequest();
  const running = useRequest();
  const [notice, setNotice] = useState<string | null>(null);
  const [dryRun, setDryRun] = useState<RetentionCounts | null>(null);
  const [confirming, setConfirming] = useState(false);
  const stored = survey.retention;

  const set = (change: Partial<RetentionDraft>) => {
    setNotice(null);
    setDraft({ ...draft, ...change });
  };

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setNotice(null);
    await save.run(async () => {
      const saved = await privacyApi.setRetention(surveyId, draft.on ? { closedCaseDays: daysOf(draft.days) } : null);
      setDraft(null);
      setDryRun(null);
      await onSaved(saved);
      setNotice(saved.retention ? t('retention.saved') : t('retention.turnedOff'));
      await status.reload();
    });
  };

  const countDue = () =>
    running.run(async () => {
      setNotice(null);
      setDryRun(await privacyApi.runRetention(surveyId, true));
    });

  const runNow = () =>
    running.run(async () => {
      setNotice(null);
      const counts = await privacyApi.runRetention(surveyId, false);
      setConfirming(false);
      setDryRun(null);
      setNotice(t('retention.ran', { counts: describeCounts(counts) }));
      await status.reload();
    });

  const data = status.data;
  return (
    <form className="card" aria-label={t('retention.title')} onSubmit={(event) => void submit(event)}>
      <h2 className="card-title">{t('retention.title')}</h2>
      <p className="hint">{t('retention.hint')}</p>
      <ErrorAlert error={save.error} onDismiss={() => save.setError(null)} />
      <SuccessAlert message={notice} />
      <label className="check">
        <input type="checkbox" checked={draft.on} onChange={(e) => set({ on: e.target.checked })} />
        {t('retention.turnOn')}
      </label>
      {draft.on && (
        <InputField
          label={t('retention.days')}
          type="number"
          min={0}
          step={1}
          required
          value={draft.days}
          onChange={(e) => set({ days: e.target.value })}
        />
      )}
      {draft.on && daysOf(draft.days) === 0 && <Notice tone="warning">{t('retention.zeroDays')}</Notice>}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={save.busy}>
          {save.busy ? t('common:actions.saving') : t('retention.save')}
        </button>
      </div>

      <h3 className="card-title retention-runs">{t('retention.runs')}</h3>
      <ErrorAlert error={status.error} />
      {data && (
        <ul className="retention-status">
          <li>
            {data.lastRun ? (
              <Trans
                t={t}
                i18nKey="retention.lastRun"
                values={{ counts: describeCounts(countsOnly(data.lastRun)) }}
                components={{ time: <time dateTime={data.lastRun.at}>{formatFullTime(data.lastRun.at)}</time> }}
              />
            ) : (
              t('retention.lastRunNone')
            )}
          </li>
          <li>
            {data.nextRunAt ? (
              <Trans
                t={t}
                i18nKey="retention.nextRun"
                components={{ time: <time dateTime={data.nextRunAt}>{formatFullTime(data.nextRunAt)}</time> }}
              />
            ) : stored ? (
              t('retention.nextRunNotBooked')
            ) : (
              t('retention.nextRunNone')
            )}
          </li>
          <li>
            {data.providerDeletes.lastError
              ? t('retention.providerDeletesWithError', {
                  pending: data.providerDeletes.pending,
                  failed: data.providerDeletes.failed,
                  error: data.providerDeletes.lastError,
                })
              : t('retention.providerDeletes', { pending: data.providerDeletes.pending, failed: data.providerDeletes.failed })}
          </li>
        </ul>
      )}
      {!confirming && <ErrorAlert error={running.error} onDismiss={() => running.setError(null)} />}
      {dryRun && (
        <p role="status" className="retention-count">
          {t('retention.dryRun', { counts: describeCounts(dryRun) })}
        </p>
      )}
      <div className="form-actions">
        <button type="button" onClick={() => void countDue()} disabled={running.busy || !stored}>
          {t('retention.count')}
        </button>
        <button type="button" className="button-danger" onClick={() => setConfirming(true)} disabled={running.busy || !stored}>
          {t('retention.runNow')}
        </button>
        {!stored && <span className="hint">{t('retention.saveFirst')}</span>}
      </div>

      <Dialog title={t('retention.confirmTitle')} open={confirming} onClose={() => setConfirming(false)}>
        <p>
          {stored?.closedCaseDays ? (
            <Trans t={t} i18nKey="retention.confirmDays" count={stored.closedCaseDays} components={{ survey: <bdi>{survey.name}</bdi> }} />
          ) : (
            <Trans t={t} i18nKey="retention.confirmAll" components={{ survey: <bdi>{survey.name}</bdi> }} />
          )}
        </p>
        <ErrorAlert error={running.error} />
        <div className="dialog-actions">
          <button type="button" onClick={() => setConfirming(false)} disabled={running.busy}>
            {t('common:actions.cancel')}
          </button>
          <button type="button" className="button-danger-solid" onClick={() => void runNow()} disabled={running.busy}>
            {running.busy ? t('retention.redacting') : t('retention.redactNow')}
          </button>
        </div>
      </Dialog>
    </form>
  );
}

function countsOnly({ cases, messages, media }: RetentionCounts): RetentionCounts {
  return { cases, messages, media };
}
