import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.js';
import { reportsApi } from '../../api/reports.js';
import { teamApi } from '../../api/team.js';
import type { Page, PhoneNumber, SummaryReport } from '../../api/types.js';
import { navigate, paths } from '../../router.js';
import { useApp } from '../../session.js';
import { ErrorAlert, Loading } from '../../ui/components.js';
import { Screen } from '../../ui/screen.js';
import { useLoad } from '../../ui/use-load.js';
import { ReportCard } from './report-card.js';
import { ReportChart } from './report-chart.js';
import { casesChart, messagesChart, responseTimesChart } from './report-charts.js';
import { ReportFiltersForm } from './report-filters-form.js';
import { parseReportSearch, reportSearch, summaryQuery, type Bucket, type ReportFilters } from './report-query.js';
import { casesTable, isQuiet, messagesTable, responseTimesTable, workersTable } from './report-tables.js';

/** Each chart's words for assistive technology, per period. */
const CHART_LABELS = {
  day: { messages: 'charts.messagesByDay', cases: 'charts.casesByDay', responseTimes: 'charts.responseTimesByDay' },
  week: { messages: 'charts.messagesByWeek', cases: 'charts.casesByWeek', responseTimes: 'charts.responseTimesByWeek' },
  month: { messages: 'charts.messagesByMonth', cases: 'charts.casesByMonth', responseTimes: 'charts.responseTimesByMonth' },
} as const satisfies Record<Bucket, Record<string, string>>;

/**
 * The dashboard (DESIGN.md §10 "Dashboard"): messages, cases and response times per day,
 * week or month, and what each worker did, for every role. The filters live in the URL's
 * query, so a view can be shared and reloaded. This module and the chart library load only
 * when the dashboard opens (./lazy-reports-screen.tsx).
 */
export function ReportsScreen({ search }: { search: string }) {
  const { t } = useTranslation('reports');
  const { surveys } = useApp();
  const filters = useMemo(() => parseReportSearch(search), [search]);
  const canonical = reportSearch(filters);

  useEffect(() => {
    // The defaults written out: a link copied now shows these same days.
    if (search !== canonical) navigate(paths.reports(canonical), { replace: true });
  }, [search, canonical]);

  const change = (update: Partial<ReportFilters>) => navigate(paths.reports(reportSearch({ ...filters, ...update })), { replace: true });

  const numbers = useLoad(() => api<Page<PhoneNumber>>('GET', '/numbers'), []);
  const workers = useLoad(() => teamApi.colleagues(), []);
  const report = useLoad(() => reportsApi.summary(summaryQuery(filters)), [canonical], { keepPreviousData: true });

  return (
    <Screen
      title={t('screen.title')}
      className="page page-wide"
      beside={
        <div className="report-head-actions">
          {report.loading && report.data && (
            <span className="hint" role="status">
              {t('screen.updating')}
            </span>
          )}
          <button type="button" onClick={() => void report.reload()} disabled={report.loading}>
            {t('screen.refresh')}
          </button>
        </div>
      }
    >
      <ReportFiltersForm
        filters={filters}
        onChange={change}
        surveys={surveys}
        numbers={numbers.data?.items ?? null}
        workers={workers.data?.items ?? null}
      />
      <ErrorAlert error={numbers.error ?? workers.error} />
      <ReportBody report={report.data} loading={report.loading} error={report.error} filters={filters} />
    </Screen>
  );
}

function ReportBody({
  report,
  loading,
  error,
  filters,
}: {
  report: SummaryReport | undefined;
  loading: boolean;
  error: string | null;
  filters: ReportFilters;
}) {
  const { t } = useTranslation('reports');
  if (error && !loading) return <ErrorAlert error={t('screen.reportFailed', { error })} />;
  if (!report) return <Loading label={t('screen.loadingReport')} />;
  if (isQuiet(report)) {
    const open = report.buckets.at(-1)?.backlog ?? 0;
    return (
      <div className="card report-empty">
        <p className="empty">{t('screen.quiet')}</p>
        {open > 0 && <p className="hint">{t('screen.openThroughout', { count: open })}</p>}
      </div>
    );
  }
  return <ReportCards report={report} bucket={filters.bucket} from={filters.from} to={filters.to} busy={loading} />;
}

function ReportCards({
  report,
  bucket,
  from,
  to,
  busy,
}: {
  report: SummaryReport;
  bucket: Bucket;
  from: string;
  to: string;
  busy: boolean;
}) {
  const { t, i18n } = useTranslation('reports');
  // The charts and tables hold words and figures of the language they were made in.
  const language = i18n.resolvedLanguage;
  const charts = useMemo(
    () => ({
      messages: messagesChart(report, bucket),
      cases: casesChart(report, bucket),
      responseTimes: responseTimesChart(report, bucket),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- made afresh in a newly chosen language
    [report, bucket, language],
  );
  const tables = useMemo(
    () => ({
      messages: messagesTable(report, bucket),
      cases: casesTable(report, bucket),
      responseTimes: responseTimesTable(report, bucket),
      workers: workersTable(report),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- made afresh in a newly chosen language
    [report, bucket, language],
  );
  const label = CHART_LABELS[bucket];
  return (
    <div className="report-cards" aria-busy={busy}>
      <ReportCard
        title={t('cards.messages')}
        table={tables.messages}
        from={from}
        to={to}
        chart={<ReportChart option={charts.messages} label={t(label.messages)} />}
      />
      <ReportCard
        title={t('cards.cases')}
        table={tables.cases}
        from={from}
        to={to}
        chart={<ReportChart option={charts.cases} label={t(label.cases)} />}
      />
      <ReportCard
        title={t('cards.responseTimes')}
        table={tables.responseTimes}
        from={from}
        to={to}
        chart={<ReportChart option={charts.responseTimes} label={t(label.responseTimes)} />}
      />
      <ReportCard title={t('cards.workers')} table={tables.workers} from={from} to={to} empty={t('cards.noWorkers')} />
    </div>
  );
}
