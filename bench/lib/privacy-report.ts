import type { ErasureBenchResult } from './erasure-bench.js';
import type { RetentionBenchResult } from './retention-bench.js';

/** The retention and erasure rows of the markdown table (report.ts's columns). */
const n = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '—'
    : value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value: number) => `${n(value, 2)} ms`;
const mib = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${n(value)} MiB`);
const other = (cpu: { otherPercent: number } | null | undefined) => (cpu ? `${n(cpu.otherPercent, 1)}%` : '—');

export function retentionRows(dialect: string, r: RetentionBenchResult): string[][] {
  const v = r.verify;
  const phase = (label: string, p: RetentionBenchResult['baseline'], compared: string, check: string): string[] => [
    dialect,
    `${label}, ${n(p.offeredPerSecond)}/s offered, evenly paced open loop, ${n(p.durationSec)} s`,
    `${n(p.perSecond2xx)} msg/s`,
    ms(p.p50Ms),
    ms(p.p99Ms),
    '',
    compared,
    mib(p.peakRssMiB),
    `${n(p.check.acknowledged)} acknowledged: ${p.check.lost} lost, ${p.check.duplicated} duplicated${p.poolExhausted ? '; POOL EXHAUSTED' : ''}${check}`,
    other(p.cpu),
  ];
  return [
    [
      dialect,
      `Retention: ${n(r.due)} due of ${n(r.cases)} cases (${n(r.dueMessages)} messages), ${r.closedCaseDays} days, ` +
        `provider deletes ${r.providerDeletes ? 'booked (Twilio unreachable)' : 'none (no provider ids)'}`,
      r.finished
        ? `${n(r.casesPerSecond)} cases/s (${n(r.seconds, 1)} s; ${n(r.messagesPerSecond)} msgs/s)`
        : `NOT FINISHED: ${n(r.redactedCases)} cases in ${n(r.during.durationSec)} s`,
      '',
      '',
      '',
      `${r.jobRuns} job runs; first run ${r.firstRun ? `${n(r.firstRun.cases)} cases by ${n(r.firstRun.seconds, 1)} s` : '—'}; ` +
        `${n(r.providerDeletesPending)} provider deletes pending`,
      mib(r.lifetimePeakRssMiB),
      `${n(v.redactedDue)} due redacted, ${n(v.redactedNotDue)} others; ${n(v.emptiedMessages)} messages emptied, ${n(v.emptiedNotDue)} others; ` +
        `${n(v.tombstones)} tombstones${v.ok ? '' : '; CHECK FAILED'}`,
      '',
    ],
    phase(`Ingest on ${n(r.cases)} cases, before retention`, r.baseline, '', ''),
    phase(
      `Ingest on ${n(r.cases)} cases, while retention runs`,
      r.during,
      `p50 ×${n(r.p50Ratio, 2)}, p99 ×${n(r.p99Ratio, 2)} of before`,
      '',
    ),
  ];
}

export function erasureRows(dialect: string, r: ErasureBenchResult): string[][] {
  const v = r.verify;
  return [
    [
      dialect,
      `Erasure: one person, ${n(r.cases)} cases, ${n(r.messages)} messages, among ${n(r.otherCases)} cases / ${n(r.otherMessages)} msgs, ` +
        `provider deletes ${r.providerIds ? 'booked' : 'none (no provider ids)'}`,
      `${n(r.seconds, 2)} s for one request (${n(r.messagesPerSecond)} msgs/s)`,
      '',
      '',
      '',
      r.answer ? `answer ${JSON.stringify(r.answer)}` : `status ${r.status}`,
      mib(r.peakRssMiB),
      `number left: ${v.recordsWithNumber} records, ${v.messagesWithNumber} messages, ${v.historyWithNumber} history, ${v.optOutsWithNumber} opt-outs; ` +
        `${v.casesRedacted} cases, ${n(v.messagesEmptied)} messages emptied, ${v.tombstones} tombstones; others touched ${v.othersRedacted} / ${v.othersEmptied}` +
        (v.ok ? '' : '; CHECK FAILED'),
      '',
    ],
  ];
}
