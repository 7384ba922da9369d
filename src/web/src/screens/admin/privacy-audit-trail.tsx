import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrivacyAuditEntry, PrivacyAuditPage } from '../../api/types.js';
import { formatFullTime } from '../../format.js';
import { describeCounts } from '../../privacy-words.js';
import { useApp } from '../../session.js';
import { ErrorAlert, Loading } from '../../ui/components.js';
import { SelectField } from '../../ui/fields.js';
import type { Loaded } from '../../ui/use-load.js';

const ACTION_KEYS = {
  erasure: 'auditTrail.actions.erasure',
  export: 'auditTrail.actions.export',
  retention: 'auditTrail.actions.retention',
  'case-export': 'auditTrail.actions.caseExport',
} as const satisfies Record<PrivacyAuditEntry['action'], string>;
const ACTIONS = Object.keys(ACTION_KEYS) as PrivacyAuditEntry['action'][];

/** "Retention (dry run)": a dry run is kept in the trail too, though it changed nothing. */
function actionLabel(t: TFunction<'privacy'>, entry: PrivacyAuditEntry): string {
  const action = t(ACTION_KEYS[entry.action]);
  return entry.counts.dryRun === true ? t('auditTrail.dryRun', { action }) : action;
}

/** Who did it: the daily job has no user. */
function whoLabel(t: TFunction<'privacy'>, entry: PrivacyAuditEntry): string {
  if (entry.userName) return entry.userName;
  return entry.userId === null ? t('auditTrail.dailyRetention') : t('auditTrail.removedUser');
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
  const { t } = useTranslation(['privacy', 'common']);
  const { surveys } = useApp();
  const [loadingMore, setLoadingMore] = useState(false);
  const surveyName = (id: string | null) =>
    id === null ? t('auditTrail.everySurvey') : (surveys.find((s) => String(s.id) === id)?.name ?? t('auditTrail.deletedSurvey'));
  const items = audit.data?.items ?? null;
  const nextCursor = audit.data?.nextCursor ?? null;

  return (
    <section className="card" aria-labelledby="privacy-audit-title">
      <h2 id="privacy-audit-title" className="card-title">
        {t('auditTrail.title')}
      </h2>
      <form className="filters" role="search" aria-label={t('auditTrail.filter')} onSubmit={(event) => event.preventDefault()}>
        <SelectField
          label={t('auditTrail.action')}
          value={action}
          placeholder={t('auditTrail.everyAction')}
          options={ACTIONS.map((value) => ({ value, label: t(ACTION_KEYS[value]) }))}
          onChange={(event) => onAction(event.target.value)}
        />
      </form>
      <ErrorAlert error={audit.error} />
      {items === null ? (
        audit.error ? null : (
          <Loading />
        )
      ) : items.length === 0 ? (
        <p className="empty">{t('auditTrail.empty')}</p>
      ) : (
        <table className="data-table privacy-audit">
          <thead>
            <tr>
              <th scope="col">{t('auditTrail.columns.when')}</th>
              <th scope="col">{t('auditTrail.columns.who')}</th>
              <th scope="col">{t('auditTrail.columns.action')}</th>
              <th scope="col">{t('auditTrail.columns.survey')}</th>
              <th scope="col">{t('auditTrail.columns.what')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry) => (
              <tr key={entry.id}>
                <td data-label={t('auditTrail.columns.when')}>
                  <time dateTime={entry.at}>{formatFullTime(entry.at)}</time>
                </td>
                <td data-label={t('auditTrail.columns.who')}>
                  <span dir="auto">{whoLabel(t, entry)}</span>
                </td>
                <td data-label={t('auditTrail.columns.action')}>{actionLabel(t, entry)}</td>
                <td data-label={t('auditTrail.columns.survey')}>
                  <span dir="auto">{surveyName(entry.surveyId)}</span>
                </td>
                <td data-label={t('auditTrail.columns.what')}>{describeCounts(entry.counts)}</td>
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
            {loadingMore ? t('common:loading') : t('auditTrail.more')}
          </button>
        </div>
      )}
    </section>
  );
}
