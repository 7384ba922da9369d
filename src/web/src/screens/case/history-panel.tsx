import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.js';
import { teamApi } from '../../api/team.js';
import type { HistoryItem } from '../../api/types.js';
import { historyActionLabel } from '../../format.js';
import { historyDetailParts } from '../../team/case-links.js';
import { CaseLinkedText } from '../../team/case-linked-text.js';
import { ErrorAlert, Loading, Time } from '../../ui/components.js';
import { useLoad } from '../../ui/use-load.js';

/** The record's history, newest first; `reading` changes whenever the case screen read the record again. */
export function HistoryPanel({ caseNumber, reading }: { caseNumber: number; reading: number }) {
  const { t } = useTranslation('caseDetails');
  const { data: items, error } = useLoad(
    async () => [...(await api<{ items: HistoryItem[] }>('GET', `/records/${caseNumber}/history`)).items].reverse(),
    [caseNumber, reading],
    { keepPreviousData: true },
  );

  // An assignment names people by id; colleagues give their names.
  const { data: colleagues } = useLoad(() => teamApi.colleagues().catch(() => null), []);
  const names = new Map((colleagues?.items ?? []).map((c) => [String(c.id), c.name]));

  if (error) return <ErrorAlert error={error} />;
  if (!items) return <Loading label={t('history.loading')} />;
  if (items.length === 0) return <p className="empty">{t('history.empty')}</p>;
  return (
    <ol className="history" aria-label={t('history.label')}>
      {items.map((item) => {
        // Cases a move or merge names ("To case: #4") are links to them.
        const detail = historyDetailParts(item.detail, names);
        return (
          <li key={String(item.id)} className="history-item">
            <div className="history-line">
              <strong>{historyActionLabel(item.action)}</strong>
              <span className="muted">
                {' '}
                {item.user ? t('history.byUser', { name: item.user.name }) : t('history.automatically')} · <Time at={item.at} />
              </span>
            </div>
            {detail.length > 0 && (
              <p className="history-detail" dir="auto">
                <CaseLinkedText parts={detail} />
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}
