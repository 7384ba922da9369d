import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.js';
import { auditApi } from '../../api/audit.js';
import type { AccessEntry, AccessLogPage, Page, User } from '../../api/types.js';
import { formatFullTime } from '../../format.js';
import { paths } from '../../router.js';
import { ErrorAlert, Loading } from '../../ui/components.js';
import { InputField, SelectField } from '../../ui/fields.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';

const PAGE_SIZE = 50;

const KIND_KEYS = {
  record: 'accessLog.kinds.record',
  media: 'accessLog.kinds.media',
  export: 'accessLog.kinds.export',
} as const satisfies Record<AccessEntry['kind'], string>;

/**
 * The access log (DESIGN.md §9): who read which case, media item or export, newest first,
 * filtered by user and case number, a page at a time. Admins only.
 */
export function AccessLogScreen() {
  const { t } = useTranslation('privacy');
  const [userId, setUserId] = useState('');
  const [caseText, setCaseText] = useState('');
  // The cursors of the pages walked through, the first page's being null.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const users = useLoad(() => api<Page<User>>('GET', '/users'), []);
  const caseNumber = /^\d+$/.test(caseText.trim()) ? Number(caseText.trim()) : undefined;
  const caseInvalid = caseText.trim() !== '' && caseNumber === undefined;
  const cursor = cursors[cursors.length - 1] ?? null;
  const log = useLoad<AccessLogPage>(
    () => auditApi.access({ userId: userId || undefined, caseNumber, limit: PAGE_SIZE, cursor }),
    [userId, caseNumber ?? null, cursor],
    { keepPreviousData: true, delayMs: 250 },
  );
  const names = new Map((users.data?.items ?? []).map((u) => [u.id, u.name]));
  const items = log.data?.items ?? null;
  const nextCursor = log.data?.nextCursor ?? null;
  const firstPage = () => setCursors([null]);

  return (
    <Screen title={t('accessLog.title')} beside={<p className="page-sub">{t('accessLog.intro')}</p>}>
      <form className="filters" role="search" aria-label={t('accessLog.filter')} onSubmit={(event) => event.preventDefault()}>
        <SelectField
          label={t('accessLog.user')}
          value={userId}
          placeholder={t('accessLog.everyone')}
          options={(users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))}
          onChange={(event) => {
            setUserId(event.target.value);
            firstPage();
          }}
        />
        <InputField
          label={t('accessLog.caseNumber')}
          inputMode="numeric"
          value={caseText}
          aria-invalid={caseInvalid || undefined}
          hint={caseInvalid ? t('accessLog.caseNumberDigits') : undefined}
          onChange={(event) => {
            setCaseText(event.target.value);
            firstPage();
          }}
        />
      </form>
      <ErrorAlert error={log.error ?? users.error} />
      {items === null ? (
        log.error ? null : (
          <Loading />
        )
      ) : items.length === 0 ? (
        <p className="empty">{cursors.length > 1 ? t('accessLog.noOlder') : t('accessLog.empty')}</p>
      ) : (
        <table className="data-table access-log">
          <thead>
            <tr>
              <th scope="col">{t('accessLog.columns.when')}</th>
              <th scope="col">{t('accessLog.columns.user')}</th>
              <th scope="col">{t('accessLog.columns.case')}</th>
              <th scope="col">{t('accessLog.columns.read')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry, index) => (
              <tr key={`${entry.at}-${entry.userId}-${index}`}>
                <td data-label={t('accessLog.columns.when')}>
                  <time dateTime={entry.at}>{formatFullTime(entry.at)}</time>
                </td>
                <td data-label={t('accessLog.columns.user')}>
                  <span dir="auto">{entry.userName ?? names.get(entry.userId) ?? t('accessLog.removedUser')}</span>
                </td>
                <td data-label={t('accessLog.columns.case')}>
                  {entry.caseNumber === null ? '—' : <a href={paths.case(entry.caseNumber)}>#{entry.caseNumber}</a>}
                </td>
                <td data-label={t('accessLog.columns.read')}>{t(KIND_KEYS[entry.kind])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="load-more">
        {cursors.length > 1 && (
          <button type="button" className="button-quiet" onClick={() => setCursors((c) => c.slice(0, -1))} disabled={log.loading}>
            {t('accessLog.previous')}
          </button>
        )}
        {nextCursor && (
          <button type="button" onClick={() => setCursors((c) => [...c, nextCursor])} disabled={log.loading}>
            {t('accessLog.next')}
          </button>
        )}
      </div>
    </Screen>
  );
}
