import { useEffect, useMemo } from 'react';
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
import { formatCount } from './report-format.js';
import { parseReportSearch, reportSearch, summaryQuery, type Bucket, type ReportFilters } from './report-query.js';
import { casesTable, isQuiet, messagesTable, responseTimesTable, workersTable } from './report-tables.js';

/**
 * The dashboard (DESIGN.md §10 "Dashboard"): messages, cases and response times per day,
 * week or month, and what each worker did, for every role. The filters live in the URL's
 * query, so a view can be shared and reloaded. This module and the chart library load only
 * when the dashboard opens (./lazy-reports-screen.tsx).
 */
export function ReportsScreen({ search }: { search: string }) {
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
      title="Reports"
      className="page page-wide"
      beside={
        <div className="report-head-actions">
          {report.loading && report.data && (
            <span className="hint" role="status">
              Updating…
            </span>
          )}
          <button type="button" onClick={() => void report.reload()} disabled={report.loading}>
            Refresh
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
  if (error && !loading) return <ErrorAlert error={`The report could not be loaded: ${error}`} />;
  if (!report) return <Loading label="Loading the report…" />;
  if (isQuiet(report)) {
    const open = report.buckets.at(-1)?.backlog ?? 0;
    return (
      <div className="card report-empty">
        <p className="empty">No activity in this range</p>
        {open > 0 && <p className="hint">{`${formatCount(open)} ${open === 1 ? 'case was' : 'cases were'} open throughout.`}</p>}
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
  const charts = useMemo(
    () => ({
      messages: messagesChart(report, bucket),
      cases: casesChart(report, bucket),
      responseTimes: responseTimesChart(report, bucket),
    }),
    [report, bucket],
  );
  const tables = useMemo(
    () => ({
      messages: messagesTable(report, bucket),
      cases: casesTable(report, bucket),
      responseTimes: responseTimesTable(report, bucket),
      workers: workersTable(report),
    }),
    [report, bucket],
  );
  const per = bucket;
  const seeTable = 'the table below gives the numbers';
  return (
    <div className="report-cards" aria-busy={busy}>
      <ReportCard
        title="Messages"
        table={tables.messages}
        from={from}
        to={to}
        chart={<ReportChart option={charts.messages} label={`Bar chart of messages in and out per ${per}; ${seeTable}.`} />}
      />
      <ReportCard
        title="Cases"
        table={tables.cases}
        from={from}
        to={to}
        chart={
          <ReportChart option={charts.cases} label={`Chart of new and closed cases per ${per}, and cases open at its end; ${seeTable}.`} />
        }
      />
      <ReportCard
        title="Response times"
        table={tables.responseTimes}
        from={from}
        to={to}
        chart={
          <ReportChart
            option={charts.responseTimes}
            label={`Line chart of first response and time to close per ${per}, median and 90th percentile; ${seeTable}.`}
          />
        }
      />
      <ReportCard title="Workers" table={tables.workers} from={from} to={to} empty="Nobody replied to or closed a case in this range." />
    </div>
  );
}
