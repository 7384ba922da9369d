import { Trans, useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';
import { teamApi } from '../api/team.js';
import { sameId, type QueueCounts } from '../api/types.js';
import { currentLocale } from '../i18n/setup.js';
import { useLoad } from '../ui/use-load.js';

export type QueuePick = Exclude<keyof QueueCounts, 'limit'>;

const PICKS = [
  ['waiting', 'queue.waiting'],
  ['unassigned', 'queue.unassigned'],
  ['mine', 'queue.mine'],
] as const satisfies readonly (readonly [QueuePick, string])[];

/**
 * The queue at a glance (DESIGN.md §7): open cases waiting for an answer, those nobody holds,
 * and mine — read again after every live event about the survey. Each count is a button
 * that shows those cases. The server counts up to `limit`; a count that reached it reads "1000+".
 */
export function QueueCountsBar({ surveyId, onPick }: { surveyId: string; onPick: (pick: QueuePick) => void }) {
  const { t } = useTranslation('cases');
  const { data } = useLoad(
    async () => {
      try {
        return await teamApi.queue(surveyId);
      } catch (e) {
        // A server without the queue (or a passing failure) shows no counts rather than an error.
        if (e instanceof ApiError) return null;
        throw e;
      }
    },
    [surveyId],
    { reloadOn: (event) => event.surveyId === null || sameId(event.surveyId, surveyId), keepPreviousData: true },
  );
  if (!data) return null;
  // Ungrouped, as the doc above says: the cap reads "1000+".
  const numbers = new Intl.NumberFormat(currentLocale(), { useGrouping: false });
  return (
    <ul className="queue-counts" aria-label={t('queue.label')}>
      {PICKS.map(([pick, key]) => (
        <li key={pick}>
          <button type="button" className={`queue-count queue-count-${pick}`} onClick={() => onPick(pick)}>
            <Trans
              t={t}
              i18nKey={key}
              count={Math.min(data[pick], data.limit)}
              values={{ shown: data[pick] >= data.limit ? `${numbers.format(data.limit)}+` : numbers.format(data[pick]) }}
              components={{ strong: <strong /> }}
            />
          </button>
        </li>
      ))}
    </ul>
  );
}
