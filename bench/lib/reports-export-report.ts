import type { ExportBenchResult } from './export-bench.js';
import type { LatencyRun, SummaryBenchResult } from './reports-bench.js';

/** The summary-report and export rows of the markdown table (report.ts's columns). */
const n = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '—'
    : value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value: number) => `${n(value, 2)} ms`;
const mib = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${n(value)} MiB`);

export function summaryRows(dialect: string, r: SummaryBenchResult): string[][] {
  const w = r.window;
  const row = (label: string, run: LatencyRun, compared: string, check: string): string[] => [
    dialect,
    `Summary report, ${label} (${run.requests} requests one at a time, ${r.tz})`,
    `${n(run.buckets)} buckets, ${n(run.bytes)} bytes`,
    ms(run.p50Ms),
    ms(run.p99Ms),
    '',
    compared,
    mib(run.peakRssMiB),
    check,
    '',
  ];
  return [
    row(
      '90 days by day',
      r.day90,
      `target ${n(r.targetMs)} ms: ${r.met ? 'met' : 'MISSED'}`,
      `window ${w.from}…${w.to}: ${n(w.casesCreated)} new cases, ${n(w.messages)} messages, ${n(w.firstResponses)} first responses, ${n(w.closes)} closes`,
    ),
    row('365 days by week', r.week365, '', ''),
    row('90 days by day, one worker', r.worker90, '', `${r.workers} workers in all`),
    [
      dialect,
      `Migration 014 (report counts backfill) on ${n(r.cases)} cases, ${n(r.messages)} messages`,
      `${n(r.migration014Seconds, 1)} s`,
      '',
      '',
      '',
      `${n(r.reportCountsRows)} count rows`,
      '',
      `queries alone: ${r.queries.map((q) => `${q.name} ${n(q.ms, 1)} ms`).join(', ')}`,
      '',
    ],
  ];
}

export function exportRows(dialect: string, r: ExportBenchResult): string[][] {
  return r.runs.map((run) => [
    dialect,
    `Export ${run.format.toUpperCase()} of ${n(r.cases)} cases, include=${run.include}`,
    run.finished ? `${n(run.casesPerSecond)} cases/s (${n(run.seconds, 1)} s)` : `CUT OFF after ${n(run.seconds, 1)} s`,
    '',
    '',
    '',
    `${n(run.bytes / 2 ** 20, 1)} MiB; target < ${n(r.targetMiB)} MiB RSS: ${run.peakRssMiB < r.targetMiB ? 'met' : 'MISSED'}`,
    mib(run.peakRssMiB),
    `${run.rows === null ? '' : `${n(run.rows)} rows; `}audit ${n(run.auditCases)} cases; RSS before ${mib(run.rssBeforeMiB)}`,
    run.cpu ? `${n(run.cpu.otherPercent, 1)}%` : '—',
  ]);
}
