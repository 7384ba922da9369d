import i18next from 'i18next';
import type { SummaryBucket, SummaryReport, SummaryWorker } from '../../api/types.js';
import { bucketHeading, bucketLabel, formatCount, formatDuration, NO_FIGURE } from './report-format.js';
import type { Bucket } from './report-query.js';

/** A CSV cell: a number stays a number; null (no data) is an empty cell. */
export type CsvValue = string | number | null;

export interface ReportCell {
  /** What the HTML table shows. */
  text: string;
  /** What the CSV holds: exact figures (seconds, ISO dates), not the words shown. */
  csv: CsvValue;
  /** A bucket's first day, for `<time dateTime>`. */
  day?: string;
}

export interface ReportColumn {
  heading: string;
  csvHeading: string;
  numeric: boolean;
}

export type ReportTableId = 'messages' | 'cases' | 'response-times' | 'workers';

/** One table of the dashboard: drawn as HTML under its chart, and downloadable as CSV. */
export interface ReportTable {
  id: ReportTableId;
  caption: string;
  columns: ReportColumn[];
  rows: { key: string; cells: ReportCell[] }[];
}

const count = (value: number): ReportCell => ({ text: formatCount(value), csv: value });
const duration = (seconds: number | null): ReportCell => ({ text: formatDuration(seconds), csv: seconds });
const numeric = (heading: string, csvHeading = heading): ReportColumn => ({ heading, csvHeading, numeric: true });

function perBucket(
  id: ReportTableId,
  caption: string,
  report: SummaryReport,
  bucket: Bucket,
  columns: ReportColumn[],
  cells: (row: SummaryBucket) => ReportCell[],
): ReportTable {
  const heading = bucketHeading(bucket);
  return {
    id,
    caption,
    columns: [{ heading, csvHeading: heading, numeric: false }, ...columns],
    rows: report.buckets.map((row) => ({
      key: row.start,
      cells: [{ text: bucketLabel(row.start, bucket), csv: row.start, day: row.start }, ...cells(row)],
    })),
  };
}

export function messagesTable(report: SummaryReport, bucket: Bucket): ReportTable {
  return perBucket(
    'messages',
    i18next.t('reports:tables.messagesCaption'),
    report,
    bucket,
    [numeric(i18next.t('reports:tables.messagesIn')), numeric(i18next.t('reports:tables.messagesOut'))],
    (row) => [count(row.inbound), count(row.outbound)],
  );
}

export function casesTable(report: SummaryReport, bucket: Bucket): ReportTable {
  return perBucket(
    'cases',
    i18next.t('reports:tables.casesCaption'),
    report,
    bucket,
    [
      numeric(i18next.t('reports:tables.newCases')),
      numeric(i18next.t('reports:tables.closedCases')),
      numeric(i18next.t('reports:tables.openAtEnd')),
    ],
    (row) => [count(row.newCases), count(row.closedCases), count(row.backlog)],
  );
}

export function responseTimesTable(report: SummaryReport, bucket: Bucket): ReportTable {
  return perBucket(
    'response-times',
    i18next.t('reports:tables.responseTimesCaption'),
    report,
    bucket,
    [
      numeric(i18next.t('reports:tables.firstResponseMedian'), i18next.t('reports:tables.firstResponseMedianCsv')),
      numeric(i18next.t('reports:tables.firstResponseP90'), i18next.t('reports:tables.firstResponseP90Csv')),
      numeric(i18next.t('reports:tables.timeToCloseMedian'), i18next.t('reports:tables.timeToCloseMedianCsv')),
      numeric(i18next.t('reports:tables.timeToCloseP90'), i18next.t('reports:tables.timeToCloseP90Csv')),
    ],
    (row) => [
      duration(row.firstResponseSeconds.median),
      duration(row.firstResponseSeconds.p90),
      duration(row.timeToCloseSeconds.median),
      duration(row.timeToCloseSeconds.p90),
    ],
  );
}

export function workersTable(report: SummaryReport): ReportTable {
  const worker = i18next.t('reports:tables.worker');
  return {
    id: 'workers',
    caption: i18next.t('reports:tables.workersCaption'),
    columns: [
      { heading: worker, csvHeading: worker, numeric: false },
      numeric(i18next.t('reports:tables.replies')),
      numeric(i18next.t('reports:tables.closedCases')),
      numeric(i18next.t('reports:tables.medianFirstResponse'), i18next.t('reports:tables.medianFirstResponseCsv')),
    ],
    rows: report.workers.map((worker: SummaryWorker) => ({
      key: worker.userId,
      cells: [
        { text: worker.name || NO_FIGURE, csv: worker.name },
        count(worker.replies),
        count(worker.closedCases),
        duration(worker.firstResponseSeconds.median),
      ],
    })),
  };
}

/** Whether nothing happened in the range: no message, no case opened or closed, no worker at work. */
export function isQuiet(report: SummaryReport): boolean {
  return (
    report.workers.length === 0 &&
    report.buckets.every((b) => b.inbound === 0 && b.outbound === 0 && b.newCases === 0 && b.closedCases === 0)
  );
}
