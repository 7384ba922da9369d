import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
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

// Each choice with its label's key.
const STATUS_FILTERS = [
  ['open', 'list.statusOpen'],
  ['closed', 'list.statusClosed'],
  ['all', 'list.statusAll'],
] as const;
const ASSIGNEE_FILTERS = [
  ['', 'list.assigneeAnyone'],
  ['me', 'list.assigneeMine'],
  ['none', 'list.assigneeNone'],
] as const;
/** The queue (DESIGN.md §7): every case by newest activity, or the open cases waiting for an answer, longest first. */
const VIEWS = [
  ['all', 'list.viewAll'],
  ['waiting', 'list.viewWaiting'],
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
  const { t } = useTranslation(['cases', 'common']);
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
        <h1>{t('list.surveyNotFound')}</h1>
        <p>
          <a href="#/">{t('list.goToCases')}</a>
        </p>
      </section>
    );
  }

  return (
    <Screen
      title={t('list.title')}
      level={pane ? 2 : 1}
      className={pane ? 'case-list-pane' : 'page page-wide'}
      beside={
        <>
          {surveys.length > 1 ? (
            <SelectField
              id={pane ? 'survey-pick-pane' : 'survey-pick'}
              label={t('list.survey')}
              fieldClassName="field-inline"
              options={surveyOptions(surveys)}
              value={surveyId}
              onChange={(e) => navigate(paths.cases(e.target.value))}
            />
          ) : (
            <p className="page-sub" dir="auto">
              {survey.name}
            </p>
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
        {activeFilters > 0 ? t('list.filtersActive', { count: activeFilters }) : t('list.filters')}
      </button>
      <form
        id={filtersId}
        className={`filters${filtersOpen ? ' is-open' : ''}`}
        role="search"
        aria-label={t('list.filterCases')}
        onSubmit={(e) => e.preventDefault()}
      >
        <SegmentedChoice
          legend={t('list.viewLegend')}
          name={`${filtersId}-view`}
          options={VIEWS.map(([value, key]) => [value, t(key)] as const)}
          value={filters.view}
          onChange={(v) => set('view', v)}
        />
        {!waitingView && (
          <SegmentedChoice
            legend={t('list.statusLegend')}
            name={`${filtersId}-status`}
            options={STATUS_FILTERS.map(([value, key]) => [value, t(key)] as const)}
            value={filters.status}
            onChange={(v) => set('status', v)}
          />
        )}
        <SegmentedChoice
          legend={t('list.assigneeLegend')}
          name={`${filtersId}-assignee`}
          options={ASSIGNEE_FILTERS.map(([value, key]) => [value, t(key)] as const)}
          value={filters.assignee}
          onChange={(v) => set('assignee', v)}
        />
        <InputField
          id={`${filtersId}-contact`}
          label={t('list.contact')}
          type="search"
          inputMode="tel"
          placeholder="+44 7700 900123"
          value={filters.contact}
          onChange={(e) => set('contact', e.target.value)}
        />
        <InputField
          id={`${filtersId}-q`}
          label={t('list.searchText')}
          fieldClassName="field-grow"
          type="search"
          placeholder={t('list.searchPlaceholder')}
          value={filters.q}
          onChange={(e) => set('q', e.target.value)}
        />
        <LabelFilter id={`${filtersId}-label`} value={filters.label} onChange={setLabel} />
      </form>

      <ErrorAlert error={list.error} />
      {items === null ? (
        <Loading label={t('list.loading')} />
      ) : items.length === 0 ? (
        <EmptyList surveyId={surveyId} filtered={filtered} waiting={waitingView} />
      ) : (
        <table className={`case-table${pane || phone ? ' case-table-cards' : ''}${busy ? ' is-busy' : ''}`} aria-busy={busy}>
          <caption className="visually-hidden">
            {waitingView ? t('list.captionWaiting', { survey: survey.name }) : t('list.captionRecent', { survey: survey.name })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('columns.case')}</th>
              <th scope="col">{t('columns.contact')}</th>
              <th scope="col">{t('columns.status')}</th>
              <th scope="col">{t('columns.labels')}</th>
              <th scope="col">{t('columns.waiting')}</th>
              <th scope="col">{t('columns.lockedBy')}</th>
              <th scope="col">{t('columns.lastMessage')}</th>
              <th scope="col">{t('columns.updated')}</th>
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
            {loadingMore ? t('common:loading') : t('list.loadMore')}
          </button>
        </div>
      )}
    </Screen>
  );
}

function CaseRow({ item, unread, current, now }: { item: CaseSummary; unread: boolean; current: boolean; now: number }) {
  const { t } = useTranslation('cases');
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
      <td data-label={t('columns.case')}>
        <a href={paths.case(item.caseNumber)} className="case-link">
          #{item.caseNumber}
        </a>
        {unread && (
          <span className="unread-mark" title={t('row.newMessage')}>
            <span className="visually-hidden"> {t('row.newMessageHidden')}</span>
          </span>
        )}
      </td>
      <td data-label={t('columns.contact')} className="mono">
        {item.contact ?? '—'}
      </td>
      <td data-label={t('columns.status')}>
        <StatusBadge status={item.status} />
      </td>
      <td data-label={t('columns.labels')} className="labels-cell">
        <LabelChips labels={item.labels} />
      </td>
      {/* No label of its own: the text says "waiting 12 min". */}
      <td className="nowrap waiting-cell">
        {waited !== null ? (
          <span className={`waiting${waited >= LONG_WAIT_MS ? ' waiting-long' : ''}`}>{formatWaiting(item.waitingSince, now)}</span>
        ) : (
          <span className="muted not-waiting">
            —<span className="visually-hidden">{t('row.notWaiting')}</span>
          </span>
        )}
      </td>
      <td data-label={t('columns.lockedBy')}>
        {item.lockedBy ? (
          <span className={`lock-chip${mine ? ' lock-chip-mine' : ''}`}>
            <LockIcon /> {mine ? t('row.you') : <span dir="auto">{item.lockedBy.name}</span>}
          </span>
        ) : (
          <span className="muted">{t('row.unassigned')}</span>
        )}
      </td>
      <td data-label={t('columns.lastMessage')} className="last-message">
        {item.lastMessage ? (
          <span className="last-message-line">
            <span className="direction" aria-hidden="true">
              {item.lastMessage.direction === 'in' ? '↙' : '↗'}
            </span>
            <span className="visually-hidden">{item.lastMessage.direction === 'in' ? t('row.fromContact') : t('row.reply')} </span>
            {/* Its own direction, so right-to-left text starts at the right and is cut at its end. */}
            {item.redactedAt ? (
              <span className="muted">{t('row.removed')}</span>
            ) : (
              <span className="preview" dir="auto">
                {shorten(item.lastMessage.text, 90)}
              </span>
            )}
          </span>
        ) : (
          <span className="muted">{t('row.noMessages')}</span>
        )}
      </td>
      <td data-label={t('columns.updated')} className="nowrap">
        <Time at={item.lastMessage?.at ?? item.updatedAt} />
      </td>
    </tr>
  );
}
