import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { api, query } from '../api/client.js';
import { sameId, type CaseSummary, type Page } from '../api/types.js';
import { shorten } from '../format.js';
import { navigate, paths } from '../router.js';
import { useApp } from '../session.js';
import { surveyOptions } from '../select-options.js';
import { LockIcon } from '../ui/icons.js';
import { ErrorAlert, Loading, StatusBadge, Time } from '../ui/components.js';
import { InputField, SegmentedChoice, SelectField } from '../ui/fields.js';
import { Screen } from '../ui/screen.js';
import { useLoad } from '../ui/use-load.js';
import { useDebounced } from '../ui/use-debounced.js';
import { EmptyList } from './case-list-empty.js';
import { LabelChips } from '../ui/label-chips.js';
import { LabelFilter } from './label-filter.js';
import { useTabState } from '../team/list-filters.js';
import { QueueCountsBar, type QueuePick } from '../team/queue-counts.js';
import { useStored } from '../team/stored.js';
import { seenStore, setListOrder } from '../team/team-stores.js';
import { isUnread } from '../team/unread.js';
import { useNow } from '../team/use-now.js';
import { PHONE, useMediaQuery } from '../team/use-media-query.js';
import { WriteFirstButton } from './write-first-dialog.js';
import { ExportMenu } from './export-menu.js';
import { formatWaiting, LONG_WAIT_MS, waitedMs } from '../team/waiting-time.js';

const PAGE_SIZE = 25;
/** A live refresh reloads everything shown so far, up to this many rows. */
const MAX_REFRESH = 200;

const STATUS_FILTERS = [
  ['open', 'Open'],
  ['closed', 'Closed'],
  ['all', 'All'],
] as const;
const ASSIGNEE_FILTERS = [
  ['', 'Anyone'],
  ['me', 'Mine'],
  ['none', 'Unassigned'],
] as const;
/** The queue (DESIGN.md §7): every case by newest activity, or the open cases waiting for an answer, longest first. */
const VIEWS = [
  ['all', 'All cases'],
  ['waiting', 'Waiting'],
] as const;
type StatusFilter = (typeof STATUS_FILTERS)[number][0];
type AssigneeFilter = (typeof ASSIGNEE_FILTERS)[number][0];
type View = (typeof VIEWS)[number][0];

// A type, not an interface: the tab's stored state takes a plain record.
type Filters = {
  view: View;
  status: StatusFilter;
  assignee: AssigneeFilter;
  contact: string;
  q: string;
  /** A label's id, or '' for any. */
  label: string;
};
const NO_FILTERS: Filters = { view: 'all', status: 'open', assignee: '', contact: '', q: '', label: '' };

/**
 * A survey's cases. As a `pane` it stands beside the open case (`openCase`) on a wide screen:
 * its lines are cards and its filters fold away, as on a phone.
 */
export function CaseListScreen({
  surveyId,
  pane = false,
  openCase = null,
}: {
  surveyId: string;
  pane?: boolean;
  openCase?: number | null;
}) {
  const { surveys, session } = useApp();
  const survey = surveys.find((s) => String(s.id) === surveyId);
  // Kept for the tab: opening a case and coming back finds the list as it was.
  const [filters, setFilters] = useTabState<Filters>(`caseline.case-filters.${surveyId}`, NO_FILTERS);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const filtersId = useId();
  const contact = useDebounced(filters.contact.trim(), 300);
  const q = useDebounced(filters.q.trim(), 300);
  const { status, assignee, view } = filters;
  const labelId = filters.label;
  const waitingView = view === 'waiting';
  const fetchPage = (limit: number, cursor: string | null) =>
    api<Page<CaseSummary>>(
      'GET',
      `/surveys/${encodeURIComponent(surveyId)}/records${query({
        status: waitingView ? 'open' : status,
        assignee,
        contact,
        q,
        label: labelId,
        limit,
        cursor,
        ...(waitingView ? { waiting: 'true', sort: 'waiting' } : {}),
      })}`,
    );
  // A live refresh loads the first page again, keeping as many rows as are shown.
  const list = useLoad<Page<CaseSummary>>(
    ({ shown, again }) => fetchPage(again ? Math.min(MAX_REFRESH, Math.max(PAGE_SIZE, shown?.items.length ?? 0)) : PAGE_SIZE, null),
    [surveyId, view, status, assignee, contact, q, labelId],
    {
      reloadOn: (event) => event.surveyId === null || sameId(event.surveyId, surveyId),
      keepPreviousData: true,
    },
  );
  const items = list.data?.items ?? null;
  const nextCursor = list.data?.nextCursor ?? null;
  const book = useStored(seenStore(session.user.id));
  const now = useNow(30_000);
  // Beside a case and on a phone, each case is a compact card.
  const phone = useMediaQuery(PHONE);
  // j and k walk the cases in the order shown here.
  useEffect(() => {
    if (items) setListOrder(items.map((c) => c.caseNumber));
  }, [items]);
  const [loadingMore, setLoadingMore] = useState(false);

  const loadMore = async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    await list.extend(
      () => fetchPage(PAGE_SIZE, nextCursor),
      (shown, page) => {
        const seen = new Set(shown.items.map((c) => c.caseNumber));
        return { items: [...shown.items, ...page.items.filter((c) => !seen.has(c.caseNumber))], nextCursor: page.nextCursor };
      },
    );
    setLoadingMore(false);
  };

  // The table is busy until it answers the filters as typed, not only as last fetched.
  const typed = filters.contact.trim() !== contact || filters.q.trim() !== q;
  const busy = list.loading || typed;
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((f) => ({ ...f, [key]: value }));
  const setLabel = useCallback((label: string) => setFilters((f) => ({ ...f, label })), [setFilters]);
  const pick = (which: QueuePick) =>
    setFilters((f) =>
      which === 'waiting'
        ? { ...f, view: 'waiting', assignee: '' }
        : { ...f, view: 'all', status: 'open', assignee: which === 'mine' ? 'me' : 'none' },
    );
  const filtered = waitingView || status !== 'all' || assignee !== '' || contact !== '' || q !== '' || labelId !== '';
  const activeFilters = [waitingView, !waitingView && status !== 'open', assignee !== '', contact !== '', q !== '', labelId !== ''].filter(
    Boolean,
  ).length;

  if (!survey) {
    return (
      <section className="page">
        <h1>Survey not found</h1>
        <p>
          <a href="#/">Go to the cases</a>
        </p>
      </section>
    );
  }

  return (
    <Screen
      title="Cases"
      level={pane ? 2 : 1}
      className={pane ? 'case-list-pane' : 'page page-wide'}
      beside={
        <>
          {surveys.length > 1 ? (
            <SelectField
              id={pane ? 'survey-pick-pane' : 'survey-pick'}
              label="Survey"
              fieldClassName="field-inline"
              options={surveyOptions(surveys)}
              value={surveyId}
              onChange={(e) => navigate(paths.cases(e.target.value))}
            />
          ) : (
            <p className="page-sub">{survey.name}</p>
          )}
          <QueueCountsBar surveyId={surveyId} onPick={pick} />
          <WriteFirstButton surveyId={surveyId} />
          <ExportMenu surveyId={surveyId} status={waitingView ? 'open' : status} />
        </>
      }
    >
      {/* On a phone, and beside a case, the filters fold away behind this button. */}
      <button
        type="button"
        className="filters-toggle"
        aria-expanded={filtersOpen}
        aria-controls={filtersId}
        onClick={() => setFiltersOpen((open) => !open)}
      >
        Filters{activeFilters > 0 ? ` (${activeFilters})` : ''}
      </button>
      <form
        id={filtersId}
        className={`filters${filtersOpen ? ' is-open' : ''}`}
        role="search"
        aria-label="Filter cases"
        onSubmit={(e) => e.preventDefault()}
      >
        <SegmentedChoice legend="View" name={`${filtersId}-view`} options={VIEWS} value={filters.view} onChange={(v) => set('view', v)} />
        {!waitingView && (
          <SegmentedChoice
            legend="Status"
            name={`${filtersId}-status`}
            options={STATUS_FILTERS}
            value={filters.status}
            onChange={(v) => set('status', v)}
          />
        )}
        <SegmentedChoice
          legend="Assigned"
          name={`${filtersId}-assignee`}
          options={ASSIGNEE_FILTERS}
          value={filters.assignee}
          onChange={(v) => set('assignee', v)}
        />
        <InputField
          id={`${filtersId}-contact`}
          label="Contact"
          type="search"
          inputMode="tel"
          placeholder="+44 7700 900123"
          value={filters.contact}
          onChange={(e) => set('contact', e.target.value)}
        />
        <InputField
          id={`${filtersId}-q`}
          label="Search text"
          fieldClassName="field-grow"
          type="search"
          placeholder="Words in messages or answers"
          value={filters.q}
          onChange={(e) => set('q', e.target.value)}
        />
        <LabelFilter id={`${filtersId}-label`} value={filters.label} onChange={setLabel} />
      </form>

      <ErrorAlert error={list.error} />
      {items === null ? (
        <Loading label="Loading cases…" />
      ) : items.length === 0 ? (
        <EmptyList surveyId={surveyId} filtered={filtered} waiting={waitingView} />
      ) : (
        <table className={`case-table${pane || phone ? ' case-table-cards' : ''}${busy ? ' is-busy' : ''}`} aria-busy={busy}>
          <caption className="visually-hidden">
            Cases of {survey.name}, {waitingView ? 'waiting for an answer, longest waiting first' : 'most recent activity first'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Contact</th>
              <th scope="col">Status</th>
              <th scope="col">Labels</th>
              <th scope="col">Waiting</th>
              <th scope="col">Locked by</th>
              <th scope="col">Last message</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <CaseRow
                key={item.caseNumber}
                item={item}
                unread={isUnread(book, item.caseNumber, item.lastMessage)}
                current={item.caseNumber === openCase}
                now={now}
              />
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && items && !busy && (
        <div className="load-more">
          <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </Screen>
  );
}

function CaseRow({ item, unread, current, now }: { item: CaseSummary; unread: boolean; current: boolean; now: number }) {
  const { session } = useApp();
  const mine = item.lockedBy && sameId(item.lockedBy.id, session.user.id);
  const row = useRef<HTMLTableRowElement>(null);
  // Beside the case, j and k keep the open case's line in view.
  useEffect(() => {
    if (current) row.current?.scrollIntoView({ block: 'nearest' });
  }, [current]);
  const waited = waitedMs(item.waitingSince, now);
  return (
    <tr
      ref={row}
      className={`case-row${unread ? ' is-unread' : ''}${current ? ' is-current' : ''}`}
      aria-current={current ? 'true' : undefined}
      onClick={(e) => {
        if (!(e.target as HTMLElement).closest('a')) navigate(paths.case(item.caseNumber));
      }}
    >
      <td data-label="Case">
        <a href={paths.case(item.caseNumber)} className="case-link">
          #{item.caseNumber}
        </a>
        {unread && (
          <span className="unread-mark" title="New message">
            <span className="visually-hidden"> (new message)</span>
          </span>
        )}
      </td>
      <td data-label="Contact" className="mono">
        {item.contact ?? '—'}
      </td>
      <td data-label="Status">
        <StatusBadge status={item.status} />
      </td>
      <td data-label="Labels" className="labels-cell">
        <LabelChips labels={item.labels} />
      </td>
      {/* No label of its own: the text says "waiting 12 min". */}
      <td className="nowrap waiting-cell">
        {waited !== null ? (
          <span className={`waiting${waited >= LONG_WAIT_MS ? ' waiting-long' : ''}`}>{formatWaiting(item.waitingSince, now)}</span>
        ) : (
          <span className="muted not-waiting">
            —<span className="visually-hidden">not waiting</span>
          </span>
        )}
      </td>
      <td data-label="Locked by">
        {item.lockedBy ? (
          <span className={`lock-chip${mine ? ' lock-chip-mine' : ''}`}>
            <LockIcon /> {mine ? 'You' : item.lockedBy.name}
          </span>
        ) : (
          <span className="muted">Unassigned</span>
        )}
      </td>
      <td data-label="Last message" className="last-message">
        {item.lastMessage ? (
          <span className="last-message-line">
            <span className="direction" aria-hidden="true">
              {item.lastMessage.direction === 'in' ? '↙' : '↗'}
            </span>
            <span className="visually-hidden">{item.lastMessage.direction === 'in' ? 'From the contact: ' : 'Reply: '}</span>
            {/* Its own direction, so right-to-left text starts at the right and is cut at its end. */}
            {item.redactedAt ? (
              <span className="muted">Removed</span>
            ) : (
              <span className="preview" dir="auto">
                {shorten(item.lastMessage.text, 90)}
              </span>
            )}
          </span>
        ) : (
          <span className="muted">No messages</span>
        )}
      </td>
      <td data-label="Updated" className="nowrap">
        <Time at={item.lastMessage?.at ?? item.updatedAt} />
      </td>
    </tr>
  );
}
