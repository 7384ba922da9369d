import { query } from '../api/client.js';
import { canWorkCases, useApp } from '../session.js';

const FORMATS = [
  ['csv', 'CSV'],
  ['xlsx', 'Excel'],
] as const;

/**
 * "Export" beside the case list (DESIGN.md §10 "Export"): the survey's cases with the list's
 * status filter, as CSV or Excel. Plain download links: the session cookie goes with them,
 * and the browser streams the file to disk. Admins and analysts only, as the API allows.
 */
export function ExportMenu({ surveyId, status }: { surveyId: string; status: 'open' | 'closed' | 'all' }) {
  const { session } = useApp();
  if (!canWorkCases(session)) return null;
  return (
    <details className="export-menu">
      <summary>Export</summary>
      <ul>
        {FORMATS.map(([format, label]) => (
          <li key={format}>
            <a href={`/api/v1/surveys/${encodeURIComponent(surveyId)}/export${query({ format, status })}`} download>
              {label} ({status === 'all' ? 'all cases' : `${status} cases`})
            </a>
          </li>
        ))}
      </ul>
    </details>
  );
}
