import { useEffect, useState } from 'react';
import { api, query } from '../api/client.js';
import { sameId, type CaseSummary, type Page, type PhoneNumber } from '../api/types.js';
import { shorten } from '../format.js';
import { navigate, paths } from '../router.js';
import { useApp } from '../session.js';
import { surveyOptions } from '../select-options.js';
import { LockIcon } from '../ui/icons.js';
import { ErrorAlert, Loading, StatusBadge, Time } from '../ui/components.js';
import { InputField, SegmentedChoice, SelectField } from '../ui/fields.js';
import { Screen } from '../ui/screen.js';
import { useLoad } from '../ui/use-load.js';

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
type StatusFilter = (typeof STATUS_FILTERS)[number][0];
type AssigneeFilter = (typeof ASSIGNEE_FILTERS)[number][0];

interface Filters {
  status: StatusFilter;
  assignee: AssigneeFilter;
  contact: string;
  q: string;
}

export function CaseListScreen({ surveyId }: { surveyId: string }) {
  const { surveys } = useApp();
  const survey = surveys.find((s) => String(s.id) === surveyId);
  const [filters, setFilters] = useState<Filters>({ status: 'open', assignee: '', contact: '', q: '' });
  const contact = useDebounced(filters.contact.trim(), 300);
  const q = useDebounced(filters.q.trim(), 300);
  const { status, assignee } = filters;
  const fetchPage = (limit: number, cursor: string | null) =>
    api<Page<CaseSummary>>(
      'GET',
      `/surveys/${encodeURIComponent(surveyId)}/records${query({ status, assignee, contact, q, limit, cursor })}`,
    );
  // A live refresh loads the first page again, keeping as many rows as are shown.
  const list = useLoad<Page<CaseSummary>>(
    ({ shown, again }) => fetchPage(again ? Math.min(MAX_REFRESH, Math.max(PAGE_SIZE, shown?.items.length ?? 0)) : PAGE_SIZE, null),
    [surveyId, status, assignee, contact, q],
    {
      reloadOn: (event) => event.surveyId === null || sameId(event.surveyId, surveyId),
      keepPreviousData: true,
    },
  );
  const items = list.data?.items ?? null;
  const nextCursor = list.data?.nextCursor ?? null;
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
      className="page page-wide"
      beside={
        surveys.length > 1 ? (
          <SelectField
            id="survey-pick"
            label="Survey"
            fieldClassName="field-inline"
            options={surveyOptions(surveys)}
            value={surveyId}
            onChange={(e) => navigate(paths.cases(e.target.value))}
          />
        ) : (
          <p className="page-sub">{survey.name}</p>
        )
      }
    >
      <form className="filters" role="search" aria-label="Filter cases" onSubmit={(e) => e.preventDefault()}>
        <SegmentedChoice legend="Status" name="status" options={STATUS_FILTERS} value={filters.status} onChange={(v) => set('status', v)} />
        <SegmentedChoice
          legend="Assigned"
          name="assignee"
          options={ASSIGNEE_FILTERS}
          value={filters.assignee}
          onChange={(v) => set('assignee', v)}
        />
        <InputField
          id="filter-contact"
          label="Contact"
          type="search"
          inputMode="tel"
          placeholder="+44 7700 900123"
          value={filters.contact}
          onChange={(e) => set('contact', e.target.value)}
        />
        <InputField
          id="filter-q"
          label="Search text"
          fieldClassName="field-grow"
          type="search"
          placeholder="Words in messages or answers"
          value={filters.q}
          onChange={(e) => set('q', e.target.value)}
        />
      </form>

      <ErrorAlert error={list.error} />
      {items === null ? (
        <Loading label="Loading cases…" />
      ) : items.length === 0 ? (
        <EmptyList surveyId={surveyId} filtered={status !== 'all' || assignee !== '' || contact !== '' || q !== ''} />
      ) : (
        <table className={`case-table${busy ? ' is-busy' : ''}`} aria-busy={busy}>
          <caption className="visually-hidden">Cases of {survey.name}, most recent activity first</caption>
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Contact</th>
              <th scope="col">Status</th>
              <th scope="col">Locked by</th>
              <th scope="col">Last message</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <CaseRow key={item.caseNumber} item={item} />
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

function CaseRow({ item }: { item: CaseSummary }) {
  const { session } = useApp();
  const mine = item.lockedBy && sameId(item.lockedBy.id, session.user.id);
  return (
    <tr
      className="case-row"
      onClick={(e) => {
        if (!(e.target as HTMLElement).closest('a')) navigate(paths.case(item.caseNumber));
      }}
    >
      <td data-label="Case">
        <a href={paths.case(item.caseNumber)} className="case-link">
          #{item.caseNumber}
        </a>
      </td>
      <td data-label="Contact" className="mono">
        {item.contact}
      </td>
      <td data-label="Status">
        <StatusBadge status={item.status} />
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
            <span className="preview" dir="auto">
              {shorten(item.lastMessage.text, 90)}
            </span>
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

/**
 * An empty list says whether the survey has no cases at all, and then how to make one: a
 * newcomer texts the survey's sandbox number from the phone simulator.
 */
function EmptyList({ surveyId, filtered }: { surveyId: string; filtered: boolean }) {
  const { data: survey } = useLoad(
    async () => {
      try {
        const [cases, numbers] = await Promise.all([
          api<Page<CaseSummary>>('GET', `/surveys/${encodeURIComponent(surveyId)}/records${query({ status: 'all', limit: 1 })}`),
          api<Page<PhoneNumber>>('GET', '/numbers').catch(() => ({ items: [] as PhoneNumber[], nextCursor: null })),
        ]);
        const sandbox = numbers.items.find((n) => n.provider === 'sandbox' && sameId(n.surveyId, surveyId)) ?? null;
        return { hasCases: cases.items.length > 0, sandbox };
      } catch {
        return { hasCases: true, sandbox: null };
      }
    },
    [surveyId, filtered],
    { keepPreviousData: true },
  );

  if (!survey || survey.hasCases) {
    return <p className="empty">{filtered ? 'No cases match these filters.' : 'No cases.'}</p>;
  }
  return (
    <div className="empty">
      <p>This survey has no cases yet. A case starts when someone texts one of its numbers.</p>
      {survey.sandbox && (
        <p>
          <a href={paths.simulator(survey.sandbox.id)}>Text its sandbox number from the phone simulator</a> to see how a case arrives.
        </p>
      )}
    </div>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setCurrent(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return current;
}
