import type { SummaryBucket, SummaryReport, SummaryWorker } from '../../api/types.js';
import { BUCKET_HEADINGS, bucketLabel, formatCount, formatDuration, NO_FIGURE } from './report-format.js';
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
  const heading = BUCKET_HEADINGS[bucket];
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
  return perBucket('messages', 'Messages in and out', report, bucket, [numeric('Messages in'), numeric('Messages out')], (row) => [
    count(row.inbound),
    count(row.outbound),
  ]);
}

export function casesTable(report: SummaryReport, bucket: Bucket): ReportTable {
  return perBucket(
    'cases',
    'New and closed cases, and cases open at the end of each period',
    report,
    bucket,
    [numeric('New cases'), numeric('Closed cases'), numeric('Open at the end')],
    (row) => [count(row.newCases), count(row.closedCases), count(row.backlog)],
  );
}

export function responseTimesTable(report: SummaryReport, bucket: Bucket): ReportTable {
  return perBucket(
    'response-times',
    'First response and time to close: median and 90th percentile',
    report,
    bucket,
    [
      numeric('First response, median', 'First response median (seconds)'),
      numeric('First response, 90th percentile', 'First response p90 (seconds)'),
      numeric('Time to close, median', 'Time to close median (seconds)'),
      numeric('Time to close, 90th percentile', 'Time to close p90 (seconds)'),
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
  return {
    id: 'workers',
    caption: 'Per worker, over the whole range',
    columns: [
      { heading: 'Worker', csvHeading: 'Worker', numeric: false },
      numeric('Replies'),
      numeric('Closed cases'),
      numeric('Median first response', 'Median first response (seconds)'),
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
