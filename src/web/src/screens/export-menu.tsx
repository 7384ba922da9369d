import { useTranslation } from 'react-i18next';
import { query } from '../api/client.js';
import { canWorkCases, useApp } from '../session.js';

/** The list's status filter, as the links name it. */
const STATUS_KEYS = { all: 'export.allCases', open: 'export.openCases', closed: 'export.closedCases' } as const;

// File formats keep their own names in every language.
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
  const { t } = useTranslation('cases');
  const { session } = useApp();
  if (!canWorkCases(session)) return null;
  return (
    <details className="export-menu">
      <summary>{t('export.summary')}</summary>
      <ul>
        {FORMATS.map(([format, label]) => (
          <li key={format}>
            <a href={`/api/v1/surveys/${encodeURIComponent(surveyId)}/export${query({ format, status })}`} download>
              {t(STATUS_KEYS[status], { format: label })}
            </a>
          </li>
        ))}
      </ul>
    </details>
  );
}
