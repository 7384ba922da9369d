import { useState } from 'react';
import type { PrivacyAuditEntry, PrivacyAuditPage } from '../../api/types.js';
import { formatFullTime } from '../../format.js';
import { describeCounts } from '../../privacy-words.js';
import { useApp } from '../../session.js';
import { ErrorAlert, Loading } from '../../ui/components.js';
import { SelectField } from '../../ui/fields.js';
import type { Loaded } from '../../ui/use-load.js';

const ACTION_LABELS: Record<PrivacyAuditEntry['action'], string> = {
  erasure: 'Erasure',
  export: 'Export',
  retention: 'Retention',
  'case-export': 'Case export',
};

/** "Retention (dry run)": a dry run is kept in the trail too, though it changed nothing. */
function actionLabel(entry: PrivacyAuditEntry): string {
  return entry.counts.dryRun === true ? `${ACTION_LABELS[entry.action]} (dry run)` : ACTION_LABELS[entry.action];
}

/** Who did it: the daily job has no user. */
function whoLabel(entry: PrivacyAuditEntry): string {
  if (entry.userName) return entry.userName;
  return entry.userId === null ? 'Daily retention' : 'A removed user';
}

/**
 * The privacy audit trail (DESIGN.md §9), newest first: who erased, exported or redacted how
 * much, and when; never whose data it was.
 */
export function PrivacyAuditTrail({
  audit,
  action,
  onAction,
  onMore,
}: {
  audit: Loaded<PrivacyAuditPage>;
  action: string;
  onAction: (action: string) => void;
  onMore: (cursor: string) => Promise<void>;
}) {
  const { surveys } = useApp();
  const [loadingMore, setLoadingMore] = useState(false);
  const surveyName = (id: string | null) =>
    id === null ? 'Every survey' : (surveys.find((s) => String(s.id) === id)?.name ?? 'A deleted survey');
  const items = audit.data?.items ?? null;
  const nextCursor = audit.data?.nextCursor ?? null;

  return (
    <section className="card" aria-labelledby="privacy-audit-title">
      <h2 id="privacy-audit-title" className="card-title">
        Privacy audit trail
      </h2>
      <form className="filters" role="search" aria-label="Filter the privacy audit trail" onSubmit={(event) => event.preventDefault()}>
        <SelectField
          label="Action"
          value={action}
          placeholder="Every action"
          options={Object.entries(ACTION_LABELS).map(([value, label]) => ({ value, label }))}
          onChange={(event) => onAction(event.target.value)}
        />
      </form>
      <ErrorAlert error={audit.error} />
      {items === null ? (
        audit.error ? null : (
          <Loading />
        )
      ) : items.length === 0 ? (
        <p className="empty">Nothing erased, exported or redacted yet.</p>
      ) : (
        <table className="data-table privacy-audit">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Survey</th>
              <th scope="col">What</th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry) => (
              <tr key={entry.id}>
                <td data-label="When">
                  <time dateTime={entry.at}>{formatFullTime(entry.at)}</time>
                </td>
                <td data-label="Who">{whoLabel(entry)}</td>
                <td data-label="Action">{actionLabel(entry)}</td>
                <td data-label="Survey">{surveyName(entry.surveyId)}</td>
                <td data-label="What">{describeCounts(entry.counts)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <div className="load-more">
          <button
            type="button"
            disabled={audit.loading || loadingMore}
            onClick={() => {
              setLoadingMore(true);
              void onMore(nextCursor).finally(() => setLoadingMore(false));
            }}
          >
            {loadingMore ? 'Loading…' : 'More'}
          </button>
        </div>
      )}
    </section>
  );
}
