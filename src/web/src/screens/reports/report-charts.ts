import i18next from 'i18next';
import type { SummaryReport } from '../../api/types.js';
import type { ChartOption } from './report-chart.js';
import { bucketAxisLabel, durationUnit, durationUnitName, formatCount, formatDuration, NO_FIGURE } from './report-format.js';
import type { Bucket } from './report-query.js';

/**
 * The options of the dashboard's three charts (DESIGN.md §10 "Dashboard"): the same figures
 * as the tables under them, which tests and screen readers read instead.
 */
const COLORS = {
  inbound: '#0f766e',
  outbound: '#2563eb',
  newCases: '#0f766e',
  closedCases: '#64748b',
  backlog: '#b45309',
  firstResponse: '#0f766e',
  timeToClose: '#7c3aed',
} as const;

const asNumber = (value: unknown): number | null => (typeof value === 'number' ? value : null);

// Right to left (Arabic), time runs from the right and the legend and value axis sit on the right.
const rightToLeft = () => i18next.dir() === 'rtl';

function frame(report: SummaryReport, bucket: Bucket): ChartOption {
  const rtl = rightToLeft();
  return {
    grid: { left: rtl ? 16 : 8, right: rtl ? 8 : 16, top: 40, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    legend: rtl ? { top: 0, right: 0 } : { top: 0, left: 0 },
    xAxis: { type: 'category', inverse: rtl, data: report.buckets.map((b) => bucketAxisLabel(b.start, bucket)) },
  };
}

const countAxis = () => ({ type: 'value', minInterval: 1, position: rightToLeft() ? 'right' : 'left' }) as const;
const countTooltip: ChartOption['tooltip'] = {
  trigger: 'axis',
  valueFormatter: (value) => {
    const n = asNumber(value);
    return n === null ? NO_FIGURE : formatCount(n);
  },
};

export function messagesChart(report: SummaryReport, bucket: Bucket): ChartOption {
  return {
    ...frame(report, bucket),
    tooltip: countTooltip,
    yAxis: countAxis(),
    series: [
      { name: i18next.t('reports:tables.messagesIn'), type: 'bar', color: COLORS.inbound, data: report.buckets.map((b) => b.inbound) },
      { name: i18next.t('reports:tables.messagesOut'), type: 'bar', color: COLORS.outbound, data: report.buckets.map((b) => b.outbound) },
    ],
  };
}

export function casesChart(report: SummaryReport, bucket: Bucket): ChartOption {
  return {
    ...frame(report, bucket),
    tooltip: countTooltip,
    yAxis: countAxis(),
    series: [
      { name: i18next.t('reports:tables.newCases'), type: 'bar', color: COLORS.newCases, data: report.buckets.map((b) => b.newCases) },
      {
        name: i18next.t('reports:tables.closedCases'),
        type: 'bar',
        color: COLORS.closedCases,
        data: report.buckets.map((b) => b.closedCases),
      },
      { name: i18next.t('reports:tables.openAtEnd'), type: 'line', color: COLORS.backlog, data: report.buckets.map((b) => b.backlog) },
    ],
  };
}

export function responseTimesChart(report: SummaryReport, bucket: Bucket): ChartOption {
  const all = report.buckets.flatMap((b) => [b.firstResponseSeconds.p90, b.timeToCloseSeconds.p90, b.firstResponseSeconds.median]);
  const unit = durationUnit(Math.max(0, ...all.map((s) => s ?? 0)));
  // Plotted in the unit; the tooltip turns it back into words ("1 h 5 min").
  const inUnit = (seconds: number | null) => (seconds === null ? null : Math.round((seconds / unit.seconds) * 10) / 10);
  const line = (name: string, color: string, values: (number | null)[], dashed: boolean) => ({
    name,
    type: 'line' as const,
    color,
    connectNulls: false,
    lineStyle: { type: dashed ? ('dashed' as const) : ('solid' as const) },
    data: values.map(inUnit),
  });
  return {
    ...frame(report, bucket),
    tooltip: {
      trigger: 'axis',
      valueFormatter: (value) => {
        const n = asNumber(value);
        return formatDuration(n === null ? null : n * unit.seconds);
      },
    },
    yAxis: {
      type: 'value',
      name: durationUnitName(unit),
      position: rightToLeft() ? 'right' : 'left',
      nameTextStyle: { align: rightToLeft() ? 'right' : 'left' },
    },
    series: [
      line(
        i18next.t('reports:tables.firstResponseMedian'),
        COLORS.firstResponse,
        report.buckets.map((b) => b.firstResponseSeconds.median),
        false,
      ),
      line(
        i18next.t('reports:tables.firstResponseP90'),
        COLORS.firstResponse,
        report.buckets.map((b) => b.firstResponseSeconds.p90),
        true,
      ),
      line(
        i18next.t('reports:tables.timeToCloseMedian'),
        COLORS.timeToClose,
        report.buckets.map((b) => b.timeToCloseSeconds.median),
        false,
      ),
      line(
        i18next.t('reports:tables.timeToCloseP90'),
        COLORS.timeToClose,
        report.buckets.map((b) => b.timeToCloseSeconds.p90),
        true,
      ),
    ],
  };
}
