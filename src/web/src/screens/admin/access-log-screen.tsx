import { useState } from 'react';
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

const KIND_LABELS: Record<AccessEntry['kind'], string> = { record: 'Case', media: 'Media item', export: 'Access export' };

/**
 * The access log (DESIGN.md §9): who read which case, media item or export, newest first,
 * filtered by user and case number, a page at a time. Admins only.
 */
export function AccessLogScreen() {
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
    <Screen
      title="Access log"
      beside={<p className="page-sub">Who opened which case, media item or export, and when. Lists and searches are not recorded.</p>}
    >
      <form className="filters" role="search" aria-label="Filter the access log" onSubmit={(event) => event.preventDefault()}>
        <SelectField
          label="User"
          value={userId}
          placeholder="Everyone"
          options={(users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))}
          onChange={(event) => {
            setUserId(event.target.value);
            firstPage();
          }}
        />
        <InputField
          label="Case number"
          inputMode="numeric"
          value={caseText}
          aria-invalid={caseInvalid || undefined}
          hint={caseInvalid ? 'A case number is digits only.' : undefined}
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
        <p className="empty">{cursors.length > 1 ? 'No older reads.' : 'No reads recorded for these filters.'}</p>
      ) : (
        <table className="data-table access-log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">User</th>
              <th scope="col">Case</th>
              <th scope="col">Read</th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry, index) => (
              <tr key={`${entry.at}-${entry.userId}-${index}`}>
                <td data-label="When">
                  <time dateTime={entry.at}>{formatFullTime(entry.at)}</time>
                </td>
                <td data-label="User">{entry.userName ?? names.get(entry.userId) ?? 'A removed user'}</td>
                <td data-label="Case">
                  {entry.caseNumber === null ? '—' : <a href={paths.case(entry.caseNumber)}>#{entry.caseNumber}</a>}
                </td>
                <td data-label="Read">{KIND_LABELS[entry.kind]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="load-more">
        {cursors.length > 1 && (
          <button type="button" className="button-quiet" onClick={() => setCursors((c) => c.slice(0, -1))} disabled={log.loading}>
            Previous page
          </button>
        )}
        {nextCursor && (
          <button type="button" onClick={() => setCursors((c) => [...c, nextCursor])} disabled={log.loading}>
            Next page
          </button>
        )}
      </div>
    </Screen>
  );
}
