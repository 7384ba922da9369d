import { ApiError } from '../api/client.js';
import { teamApi } from '../api/team.js';
import { sameId, type QueueCounts } from '../api/types.js';
import { useLoad } from '../ui/use-load.js';

export type QueuePick = Exclude<keyof QueueCounts, 'limit'>;

const LABELS: [QueuePick, string][] = [
  ['waiting', 'waiting'],
  ['unassigned', 'unassigned'],
  ['mine', 'mine'],
];

/**
 * The queue at a glance (DESIGN.md §7): open cases waiting for an answer, those nobody holds,
 * and mine — read again after every live event about the survey. Each count is a button
 * that shows those cases. The server counts up to `limit`; a count that reached it reads "1000+".
 */
export function QueueCountsBar({ surveyId, onPick }: { surveyId: string; onPick: (pick: QueuePick) => void }) {
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
  return (
    <ul className="queue-counts" aria-label="Queue">
      {LABELS.map(([pick, label]) => (
        <li key={pick}>
          <button type="button" className={`queue-count queue-count-${pick}`} onClick={() => onPick(pick)}>
            <strong>{data[pick] >= data.limit ? `${data.limit}+` : data[pick]}</strong> {label}
          </button>
        </li>
      ))}
    </ul>
  );
}
