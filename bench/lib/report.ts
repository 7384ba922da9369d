import type { BenchDialect } from './databases.js';
import type { BenchResults, DialectResults } from '../run.js';
import type { MeasuredRun } from './ingest-bench.js';
import { erasureRows, retentionRows } from './privacy-report.js';
import { exportRows, summaryRows } from './reports-export-report.js';

/** The markdown table printed at the end of a run (and pasted into docs/benchmarks.md). */
const NAME: Record<BenchDialect, string> = { sqlite: 'SQLite', pg: 'PostgreSQL' };

export const AUTOVACUUM_OFF =
  "WARNING: PostgreSQL's autovacuum is off (its default is on). Every message to an open case leaves a dead row version " +
  'that nothing clears, so the PostgreSQL figures fall the longer a database is written to; they are not what a server run with the default would see.';

const n = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '—'
    : value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value: number) => `${n(value, 2)} ms`;
const pct = (ratio: number | null | undefined) => (ratio === null || ratio === undefined ? '—' : `${n(ratio * 100, 1)}%`);
const mib = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${n(value)} MiB`);

function check(run: MeasuredRun): string {
  if (!run.check) return '';
  const c = run.check;
  const others = Object.entries(run.statusCounts).filter(([s]) => s !== '200');
  return (
    `${n(c.acknowledged)} acknowledged: ${c.lost} lost, ${c.duplicated} duplicated` +
    (others.length ? `; other answers ${others.map(([s, k]) => `${s}×${k}`).join(', ')}` : '') +
    (run.errors ? `; ${run.errors} connection errors` : '') +
    (run.poolExhausted ? '; POOL EXHAUSTED' : '')
  );
}

const perRequest = (run: MeasuredRun) => (run.serverCpuUsPerRequest ? `${n(run.serverCpuUsPerRequest)} µs` : '—');
const other = (cpu: { otherPercent: number } | null | undefined) => (cpu ? `${n(cpu.otherPercent, 1)}%` : '—');

export function formatMarkdown(results: BenchResults, ran: Partial<Record<BenchDialect, DialectResults>>): string {
  const rows: string[][] = [];
  for (const [dialect, r] of Object.entries(ran) as Array<[BenchDialect, DialectResults]>) {
    const d = NAME[dialect];
    const ingestRows = (label: string, runs: { full: MeasuredRun; fixedRate: MeasuredRun; paced: MeasuredRun }, compared: string) => {
      rows.push([
        d,
        `${label}, full speed`,
        `${n(runs.full.perSecond2xx)} msg/s`,
        ms(runs.full.p50Ms),
        ms(runs.full.p99Ms),
        perRequest(runs.full),
        compared,
        mib(runs.full.peakRssMiB),
        check(runs.full),
        other(runs.full.cpu),
      ]);
      rows.push([
        d,
        `${label}, ${n(runs.fixedRate.offeredPerSecond)}/s offered (autocannon overallRate)`,
        `${n(runs.fixedRate.perSecond2xx)} msg/s`,
        ms(runs.fixedRate.p50Ms),
        ms(runs.fixedRate.p99Ms),
        perRequest(runs.fixedRate),
        '',
        mib(runs.fixedRate.peakRssMiB),
        check(runs.fixedRate),
        other(runs.fixedRate.cpu),
      ]);
      rows.push([
        d,
        `${label}, ${n(runs.paced.offeredPerSecond)}/s offered, evenly paced open loop`,
        `${n(runs.paced.perSecond2xx)} msg/s`,
        ms(runs.paced.p50Ms),
        ms(runs.paced.p99Ms),
        perRequest(runs.paced),
        '',
        mib(runs.paced.peakRssMiB),
        check(runs.paced),
        other(runs.paced.cpu),
      ]);
    };
    if (r.ingest) {
      const i = r.ingest;
      ingestRows('Ingest, empty database', i, `${pct(i.ratioToCeiling)} of ceiling`);
      rows.push([
        d,
        'Ceiling: bare Fastify, same bodies',
        `${n(i.ceiling.perSecond2xx)} req/s`,
        ms(i.ceiling.p50Ms),
        ms(i.ceiling.p99Ms),
        perRequest(i.ceiling),
        '',
        mib(i.ceiling.peakRssMiB),
        '',
        other(i.ceiling.cpu),
      ]);
      if (i.idleRssMiB) {
        rows.push([
          d,
          'Idle server: started and set up / after the load',
          '',
          '',
          '',
          '',
          '',
          `${mib(i.idleRssMiB.started)} / ${mib(i.idleRssMiB.afterLoad)}` +
            (i.idleRssMiB.afterLoadQuiet === undefined
              ? ''
              : `; quiet 15 s: ${mib(i.idleRssMiB.startedQuiet ?? NaN)} / ${mib(i.idleRssMiB.afterLoadQuiet)}`),
          '',
          '',
        ]);
      }
    }
    if (r.scale) {
      const s = r.scale;
      ingestRows(`Ingest, ${n(s.seed.cases)} cases / ${n(s.seed.messages)} msgs`, s, `${pct(s.ratioToEmpty)} of empty`);
      const a = s.alternating;
      if (a) {
        rows.push([
          d,
          `Ingest, ${n(s.seed.cases)} cases, full speed, taking turns with the empty database (${a.rounds} rounds of ${n(a.durationSec)} s)`,
          a.perSecond.map(([, seeded]) => n(seeded)).join(' / ') + ' msg/s',
          '',
          '',
          '',
          `median ${pct(a.medianRatio)} of empty (rounds: ${a.ratios.map((r) => pct(r)).join(', ')})`,
          '',
          `empty: ${a.perSecond.map(([empty]) => n(empty)).join(' / ')} msg/s; ${a.lost} lost, ${a.duplicated} duplicated`,
          '',
        ]);
      }
    }
    if (r.reads) {
      const read = r.reads;
      for (const [label, run] of [
        ['Read: first page of open cases', read.openCasesFirstPage],
        ['Read: case with 1,000 messages', read.caseWith1000Messages],
        ['Read: search by contact', read.searchByContact],
        ['Read: waiting queue (sort=waiting)', read.waitingQueue],
        ['Read: queue counts', read.queueCounts],
      ] as const) {
        if (!run) continue;
        const statuses = Object.keys(run.statusCounts).some((k) => k !== '200') ? JSON.stringify(run.statusCounts) : '';
        rows.push([
          d,
          label,
          `${n(run.perSecond2xx)} req/s`,
          ms(run.p50Ms),
          ms(run.p99Ms),
          '',
          `${run.connections} connections`,
          mib(run.peakRssMiB),
          statuses,
          other(run.cpu),
        ]);
      }
    }
    if (r.outbox) {
      const o = r.outbox;
      rows.push([
        d,
        'Outbox: one number, limit 1,000/s',
        `${n(o.oneNumber.sendsPerSecond)} sends/s`,
        '',
        '',
        '',
        `${n(o.oneNumber.sent)}/${n(o.oneNumber.queued)} sent`,
        mib(o.oneNumber.peakRssMiB),
        `${o.oneNumber.duplicates} duplicates`,
        other(o.oneNumber.cpu),
      ]);
      rows.push([
        d,
        'Outbox: eight numbers, 1,000/s each',
        `${n(o.eightNumbers.sendsPerSecond)} sends/s`,
        '',
        '',
        '',
        `${n(o.eightNumbers.sent)}/${n(o.eightNumbers.queued)} sent`,
        mib(o.eightNumbers.peakRssMiB),
        `${o.eightNumbers.duplicates} duplicates`,
        other(o.eightNumbers.cpu),
      ]);
      if (o.slowProvider) {
        const slow = o.slowProvider;
        rows.push([
          d,
          `Outbox: one number, 1,000/s, provider answers in ${slow.providerAnswerMs} ms`,
          `${n(slow.sendsPerSecond)} sends/s`,
          '',
          '',
          '',
          `${n(slow.sent)}/${n(slow.queued)} sent`,
          mib(slow.peakRssMiB),
          `${slow.duplicates} duplicates`,
          other(slow.cpu),
        ]);
      }
      const l = o.rateLimited;
      rows.push([
        d,
        `Outbox: one number, limit ${l.limit}/s`,
        `${n(l.meanPerNumberPerSecond, 1)} sends/s mean`,
        '',
        '',
        '',
        `max ${l.maxPerNumberInAnySecond} in any 1 s`,
        mib(l.peakRssMiB),
        `${l.holds ? 'limit holds' : 'LIMIT EXCEEDED'}; ${l.duplicates} duplicates`,
        other(l.cpu),
      ]);
    }
    if (r.media) {
      const { ingest, serving } = r.media;
      rows.push([
        d,
        `Ingest with a 40 KiB photo on every webhook (fetched after the answer), ${ingest.roundSeconds} s rounds`,
        `${ingest.mediaPerSecond.map((v) => n(v)).join(', ')} msg/s`,
        '',
        '',
        '',
        `${ingest.ratios.map((v) => `${n(v * 100, 1)}%`).join(', ')} of the text rounds either side (text rounds ${ingest.textPerSecond.map((v) => n(v)).join(', ')}/s); median ${n(ingest.medianRatio * 100, 1)}%`,
        '',
        `${n(ingest.stored)}/${n(ingest.items)} stored, ${n(ingest.failed)} failed, ${
          typeof ingest.drainSeconds === 'number'
            ? `drained ${n(ingest.drainSeconds, 1)} s after the load`
            : `each round's photos fetched ${ingest.drainSeconds.map((d) => n(d, 1)).join(', ')} s after it ended`
        }`,
        '',
      ]);
      rows.push([
        d,
        `A ${serving.sizeMiB} MiB item served to ${serving.clients} clients at once`,
        `${n(serving.seconds, 2)} s`,
        '',
        '',
        '',
        `idle ${mib(serving.idleRssMiB)}`,
        mib(serving.peakRssMiB),
        `+${n(serving.growthMiB, 1)} MiB over idle; ${serving.allBytesRight ? 'every byte right' : 'BYTES WRONG'}`,
        '',
      ]);
    }
    if (r.timers) {
      const t = r.timers;
      const once = t.duplicateFirings === 0 && t.leftOver === 0 && t.firings === t.timers;
      rows.push([
        d,
        `${n(t.timers)} due alert timers, ${t.workers} server${t.workers > 1 ? 's' : ''} sharing the database`,
        `${n(t.perSecond)} timers/s`,
        '',
        '',
        '',
        `drained in ${n(t.seconds, 1)} s`,
        '',
        `${n(t.firings)} fired, ${t.duplicateFirings} twice, ${t.leftOver} left: ${once ? 'exactly once' : 'NOT EXACTLY ONCE'}; ${n(t.alertRows)} console alerts`,
        '',
      ]);
      rows.push([
        d,
        `Idle server, ${t.idle.seconds} s, per server`,
        `${n(t.idle.statementsPerSecond, 2)} statements/s`,
        '',
        '',
        '',
        `${n(t.idle.timerStatementsPerSecond, 2)}/s on the timers' table`,
        '',
        '',
        '',
      ]);
    }
    if (r.retention) rows.push(...retentionRows(d, r.retention));
    if (r.erasure) rows.push(...erasureRows(d, r.erasure));
    if (r.summary) rows.push(...summaryRows(d, r.summary));
    if (r.export) rows.push(...exportRows(d, r.export));
    if (r.profile)
      rows.push([
        d,
        'Profile of the ingest path',
        `${n(r.profile.perSecond)} msg/s under the profiler`,
        '',
        '',
        '',
        '',
        '',
        r.profile.file,
        '',
      ]);
  }
  const header = [
    'Dialect',
    'Benchmark',
    'Throughput',
    'p50',
    'p99',
    'Server CPU per request',
    'Compared with',
    'Peak RSS',
    'Check',
    'Other programs’ CPU',
  ];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
  const m = results.machine;
  const extra: string[] = [];
  for (const [dialect, r] of Object.entries(ran) as Array<[BenchDialect, DialectResults]>) {
    if (r.scale) {
      const s = r.scale.seed;
      extra.push(
        `${NAME[dialect]} seed: ${n(s.rows.records ?? 0)} records, ${n(s.rows.messages ?? 0)} messages, ${n(s.rows.record_messages ?? 0)} links, ` +
          `${n(s.rows.history ?? 0)} history rows; built in ${n(s.seedSeconds, 1)} s (rows ${n(s.loadSeconds, 1)} s, indexes ${n(s.indexSeconds, 1)} s)` +
          `${s.builtThisRun ? ' in this run' : `, cached since ${s.createdAt}`}; copied for this run in ${n(r.scale.copySeconds, 1)} s.`,
      );
    }
    const busy = [
      r.ingest?.backgroundBusyPercent,
      r.scale?.backgroundBusyPercent,
      r.reads?.backgroundBusyPercent,
      r.outbox?.backgroundBusyPercent,
      r.media?.backgroundBusyPercent,
      r.timers?.backgroundBusyPercent,
      r.retention?.backgroundBusyPercent,
      r.erasure?.backgroundBusyPercent,
      r.summary?.backgroundBusyPercent,
      r.export?.backgroundBusyPercent,
    ].filter((b): b is number => b !== undefined && b !== null);
    if (busy.length)
      extra.push(`${NAME[dialect]}: CPU used by other programs just before each phase: ${busy.map((b) => `${b}%`).join(', ')}.`);
  }
  return [
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.ramGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, SQLite ${m.sqlite}, ${m.postgres ?? 'PostgreSQL not reached'}` +
      `${m.postgresAutovacuum ? `, autovacuum ${m.postgresAutovacuum}` : ''}.`,
    ...(m.postgresAutovacuum === 'off' ? [AUTOVACUUM_OFF] : []),
    `Run: ${results.lastRun.startedAt} → ${results.lastRun.finishedAt} (${results.lastRun.seconds} s); options ${JSON.stringify(results.lastRun.options)}.`,
    `Code: commit ${results.lastRun.code.commit}${results.lastRun.code.srcDirty ? ' with uncommitted changes in src/' : ''}` +
      `${results.lastRun.code.srcChangedDuringRun ? ' — WARNING: src/ changed during the run, the figures mix code versions' : ''}.`,
    '',
    ...lines,
    '',
    ...extra,
  ].join('\n');
}
