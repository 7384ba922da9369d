import { describe, expect, it } from 'vitest';
import '../../support/console-english.js';
import type { SummaryReport } from '../../../src/contract/index.js';
import { neutralise } from '../../../src/domain/spreadsheet-cells.js';
import { parseRoute, paths } from '../../../src/web/src/router.js';
import { csvFileName, neutraliseCell, tableCsv } from '../../../src/web/src/screens/reports/report-csv.js';
import { bucketLabel, durationUnit, formatDuration } from '../../../src/web/src/screens/reports/report-format.js';
import {
  addDays,
  defaultRange,
  parseReportSearch,
  reportSearch,
  summaryQuery,
  todayIn,
} from '../../../src/web/src/screens/reports/report-query.js';
import { isQuiet, messagesTable, responseTimesTable, workersTable } from '../../../src/web/src/screens/reports/report-tables.js';

const NOW = new Date('2026-03-31T22:30:00Z');

const report: SummaryReport = {
  buckets: [
    {
      start: '2026-03-02',
      inbound: 3,
      outbound: 5,
      newCases: 3,
      closedCases: 0,
      backlog: 4,
      firstResponseSeconds: { median: 2100, p90: 3300 },
      timeToCloseSeconds: { median: null, p90: null },
    },
  ],
  workers: [{ userId: 'u1', name: '=HYPERLINK("x")', replies: 2, closedCases: 1, firstResponseSeconds: { median: null } }],
};

describe('the reports dashboard', () => {
  it('is a route of its own whose query holds the filters', () => {
    expect(parseRoute('#/reports')).toEqual({ name: 'reports', search: '' });
    expect(parseRoute('#/reports?survey=3&bucket=week')).toEqual({ name: 'reports', search: 'survey=3&bucket=week' });
    expect(paths.reports()).toBe('#/reports');
    expect(paths.reports('from=2026-03-01')).toBe('#/reports?from=2026-03-01');
  });

  it('shows the last 30 days in the browser zone when the URL names no range, today by that zone', () => {
    expect(todayIn('UTC', NOW)).toBe('2026-03-31');
    expect(todayIn('Asia/Kolkata', NOW)).toBe('2026-04-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(defaultRange('UTC', NOW)).toEqual({ from: '2026-03-02', to: '2026-03-31' });
    expect(parseReportSearch('', NOW, 'Europe/London')).toEqual({
      surveyId: '',
      numberId: '',
      userId: '',
      from: '2026-03-02',
      to: '2026-03-31',
      bucket: 'day',
      tz: 'Europe/London',
    });
  });

  it('reads every filter back from the URL it wrote, and drops what it cannot use', () => {
    const filters = {
      surveyId: '7',
      numberId: '9',
      userId: 'u1',
      from: '2026-01-01',
      to: '2026-03-31',
      bucket: 'month' as const,
      tz: 'America/Sao_Paulo',
    };
    expect(parseReportSearch(reportSearch(filters), NOW, 'UTC')).toEqual(filters);
    expect(parseReportSearch('from=yesterday&bucket=year&tz=Mars/Olympus', NOW, 'UTC')).toMatchObject({
      from: '2026-03-02',
      bucket: 'day',
      tz: 'UTC',
    });
    expect(summaryQuery({ ...filters, surveyId: '', numberId: '', userId: '' })).toEqual({
      surveyId: undefined,
      numberId: undefined,
      userId: undefined,
      from: '2026-01-01',
      to: '2026-03-31',
      bucket: 'month',
      tz: 'America/Sao_Paulo',
    });
  });

  it('writes durations as a person reads them, and no data as a dash', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(2100)).toBe('35 min');
    expect(formatDuration(3900)).toBe('1 h 5 min');
    expect(formatDuration(75600)).toBe('21 h');
    expect(formatDuration(99000)).toBe('1 d 4 h');
    expect(formatDuration(2 * 86400)).toBe('2 d');
    expect(durationUnit(3300).name).toBe('minutes');
    expect(durationUnit(99000).name).toBe('hours');
    expect(durationUnit(5 * 86400).name).toBe('days');
    expect(bucketLabel('2026-03-02', 'week')).toMatch(/^Week of .*2026$/);
  });

  it('neutralises a cell exactly as the server export does', () => {
    for (const text of ['=1+1', '+44 7700', '-3', '@SUM(A1)', '\tx', '\rx', 'Ada', '', "'=x", ' =x']) {
      expect(neutraliseCell(text)).toBe(neutralise(text));
    }
  });

  it('writes a table as CSV: byte-order mark, CRLF, seconds and ISO days, empty where there is no figure', () => {
    const csv = tableCsv(responseTimesTable(report, 'day'));
    expect(csv).toBe(
      '\uFEFFDay,First response median (seconds),First response p90 (seconds),Time to close median (seconds),Time to close p90 (seconds)\r\n' +
        '2026-03-02,2100,3300,,\r\n',
    );
    expect(tableCsv(workersTable(report))).toBe(
      '\uFEFFWorker,Replies,Closed cases,Median first response (seconds)\r\n' + `"'=HYPERLINK(""x"")",2,1,\r\n`,
    );
    expect(csvFileName(messagesTable(report, 'day'), '2026-03-01', '2026-03-31')).toBe('caseline-messages-2026-03-01-2026-03-31.csv');
  });

  it('shows the same figures in its tables, a dash for none', () => {
    const table = responseTimesTable(report, 'day');
    expect(table.rows[0]!.cells.map((c) => c.text).slice(1)).toEqual(['35 min', '55 min', '—', '—']);
    expect(isQuiet(report)).toBe(false);
    expect(isQuiet({ buckets: report.buckets.map((b) => ({ ...b, inbound: 0, outbound: 0, newCases: 0 })), workers: [] })).toBe(true);
  });
});
