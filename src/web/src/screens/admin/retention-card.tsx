import { useState, type SyntheticEvent } from 'react';
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
      setNotice(saved.retention ? 'Retention saved. Closed cases that are due are redacted at the next run.' : 'Retention turned off.');
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
      setNotice(`Retention ran: ${describeCounts(counts)} redacted.`);
      await status.reload();
    });

  const data = status.data;
  return (
    <form className="card" aria-label="Retention" onSubmit={(event) => void submit(event)}>
      <h2 className="card-title">Retention</h2>
      <p className="hint">
        A redacted case keeps its number, times, status and how many messages it had; its message texts, media, notes, other answers and the
        contact&apos;s number are removed for good, here and, where the provider allows it, at the provider.
      </p>
      <ErrorAlert error={save.error} onDismiss={() => save.setError(null)} />
      <SuccessAlert message={notice} />
      <label className="check">
        <input type="checkbox" checked={draft.on} onChange={(e) => set({ on: e.target.checked })} />
        Redact closed cases after a number of days
      </label>
      {draft.on && (
        <InputField
          label="Redact closed cases after (days)"
          type="number"
          min={0}
          step={1}
          required
          value={draft.days}
          onChange={(e) => set({ days: e.target.value })}
        />
      )}
      {draft.on && daysOf(draft.days) === 0 && (
        <Notice tone="warning">0 days means every closed case: each one is redacted at the next run, however recently it closed.</Notice>
      )}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Save retention'}
        </button>
      </div>

      <h3 className="card-title retention-runs">Runs</h3>
      <ErrorAlert error={status.error} />
      {data && (
        <ul className="retention-status">
          <li>
            Last run:{' '}
            {data.lastRun ? (
              <>
                <time dateTime={data.lastRun.at}>{formatFullTime(data.lastRun.at)}</time>, {describeCounts(countsOnly(data.lastRun))}{' '}
                redacted
              </>
            ) : (
              'none yet'
            )}
          </li>
          <li>
            Next run:{' '}
            {data.nextRunAt ? <time dateTime={data.nextRunAt}>{formatFullTime(data.nextRunAt)}</time> : stored ? 'not booked' : 'none'}
          </li>
          <li>
            Deletions at the providers: {data.providerDeletes.pending} pending, {data.providerDeletes.failed} failed
            {data.providerDeletes.lastError && <> (last error: {data.providerDeletes.lastError})</>}
          </li>
        </ul>
      )}
      {!confirming && <ErrorAlert error={running.error} onDismiss={() => running.setError(null)} />}
      {dryRun && (
        <p role="status" className="retention-count">
          A run now would redact {describeCounts(dryRun)}.
        </p>
      )}
      <div className="form-actions">
        <button type="button" onClick={() => void countDue()} disabled={running.busy || !stored}>
          Count what would go
        </button>
        <button type="button" className="button-danger" onClick={() => setConfirming(true)} disabled={running.busy || !stored}>
          Run now
        </button>
        {!stored && <span className="hint">Save a retention period to run it.</span>}
      </div>

      <Dialog title="Run retention now?" open={confirming} onClose={() => setConfirming(false)}>
        <p>
          {stored?.closedCaseDays
            ? `Every case of ${survey.name} closed more than ${plural(stored.closedCaseDays, 'day')} ago`
            : `Every closed case of ${survey.name}`}{' '}
          is redacted now. This cannot be undone.
        </p>
        <ErrorAlert error={running.error} />
        <div className="dialog-actions">
          <button type="button" onClick={() => setConfirming(false)} disabled={running.busy}>
            Cancel
          </button>
          <button type="button" className="button-danger-solid" onClick={() => void runNow()} disabled={running.busy}>
            {running.busy ? 'Redacting…' : 'Redact now'}
          </button>
        </div>
      </Dialog>
    </form>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function countsOnly({ cases, messages, media }: RetentionCounts): RetentionCounts {
  return { cases, messages, media };
}
