import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, release, totalmem } from 'node:os';
import SqliteDatabase from 'better-sqlite3';
import { pgAdmin } from './databases.js';

/** The machine a run measured, so a figure can be read against it. */
export interface Machine {
  cores: number;
  cpuModel: string;
  ramGiB: number;
  kernel: string;
  node: string;
  sqlite: string;
  postgres: string | null;
  /**
   * PostgreSQL's `autovacuum` setting. Off, every message to an open case leaves a dead row
   * version behind that nothing clears, and a long run slows down: not how a server is run.
   */
  postgresAutovacuum: string | null;
}

export async function describeMachine(): Promise<Machine> {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux
  }
  const memory = new SqliteDatabase(':memory:');
  const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
  memory.close();
  let postgres: string | null = null;
  let postgresAutovacuum: string | null = null;
  try {
    [postgres, postgresAutovacuum] = await pgAdmin(async (client) => {
      const { rows } = await client.query<{ v: string; autovacuum: string }>(
        `select version() as v, current_setting('autovacuum') as autovacuum`,
      );
      return [rows[0]!.v, rows[0]!.autovacuum];
    });
  } catch {
    postgres = null;
  }
  return {
    cores: cpus().length,
    cpuModel,
    ramGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    node: process.version,
    sqlite,
    postgres,
    postgresAutovacuum,
  };
}

/** The 1-minute load average. */
export function currentLoad(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

function cpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * How busy the machine's cores are over `ms` while the benchmark itself is idle (between
 * phases): anything well above 0% is another program competing for the two cores, and
 * the figures of the next phase are lower than the machine can do.
 */
export async function backgroundBusyPercent(ms = 1000): Promise<number | null> {
  try {
    const before = cpuTimes();
    const selfBefore = ownTicks();
    await new Promise((r) => setTimeout(r, ms));
    const after = cpuTimes();
    const self = ownTicks() - selfBefore;
    const busy = Math.max(0, after.busy - before.busy - self);
    return Math.round((busy / Math.max(1, after.total - before.total)) * 1000) / 10;
  } catch {
    return null;
  }
}

/** This process's own CPU time in clock ticks (utime + stime), to leave it out. */
function ownTicks(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function ticksOf(pid: string): { comm: string; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // utime + stime, and cutime + cstime: children that exited and were waited for
    // (PostgreSQL's parallel workers count in the postmaster's).
    return { comm, ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) };
  } catch {
    return null;
  }
}

/**
 * CPU use while a phase runs, as a share of the whole machine (2 cores = 100%): ours (the
 * bench process with its load generator, and the server), PostgreSQL's processes, and
 * everything else. "Other" well above zero means another program competed for the cores
 * and the phase's figures are lower than the machine can do.
 */
export interface CpuUse {
  oursPercent: number;
  postgresPercent: number;
  otherPercent: number;
  /** CPU time the server processes used (all their threads), in ms. */
  serverCpuMs: number;
}

/** /proc counts CPU time in clock ticks of 10 ms (USER_HZ is 100 on Linux). */
const TICK_MS = 10;

export function watchCpu(serverPids: number[]) {
  const snapshot = () => {
    const machine = cpuTimes();
    let ours = 0;
    let server = 0;
    let postgres = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const entry = ticksOf(pid);
      if (!entry) continue;
      if (serverPids.includes(Number(pid))) server += entry.ticks;
      if (Number(pid) === process.pid || serverPids.includes(Number(pid))) ours += entry.ticks;
      else if (entry.comm.startsWith('postgres')) postgres += entry.ticks;
    }
    return { machine, ours, server, postgres };
  };
  let start: ReturnType<typeof snapshot> | null = null;
  try {
    start = snapshot();
  } catch {
    start = null;
  }
  return {
    stop(): CpuUse | null {
      if (!start) return null;
      const end = snapshot();
      const total = Math.max(1, end.machine.total - start.machine.total);
      const busy = end.machine.busy - start.machine.busy;
      const ours = end.ours - start.ours;
      const postgres = end.postgres - start.postgres;
      const share = (ticks: number) => Math.round((Math.max(0, ticks) / total) * 1000) / 10;
      return {
        oursPercent: share(ours),
        postgresPercent: share(postgres),
        otherPercent: share(busy - ours - postgres),
        serverCpuMs: (end.server - start.server) * TICK_MS,
      };
    },
  };
}

/** The code measured: HEAD and whether src/ had changes not committed. */
export function codeVersion(): { commit: string; srcDirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim().length > 0;
    return { commit, srcDirty: dirty };
  } catch {
    return { commit: 'unknown', srcDirty: false };
  }
}

/**
 * Samples the state of a process's main thread every few milliseconds: R (running or
 * runnable), S (sleeping: waiting for events, sockets), D (waiting for the disk, e.g. an
 * fsync inside a synchronous SQLite call). Shares in %.
 */
export function watchThreadState(pid: number, intervalMs = 5) {
  const counts: Record<string, number> = {};
  let samples = 0;
  const timer = setInterval(() => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      counts[state] = (counts[state] ?? 0) + 1;
      samples++;
    } catch {
      // the process ended
    }
  }, intervalMs);
  return {
    stop(): { samples: number; shares: Record<string, number> } {
      clearInterval(timer);
      return {
        samples,
        shares: Object.fromEntries(Object.entries(counts).map(([s, n]) => [s, Math.round((n / Math.max(1, samples)) * 1000) / 10])),
      };
    },
  };
}

/** Names, sizes and modification times of every file under `dir`: changes when any file does. */
export function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const stat = statSync(full);
        hash.update(`${full}:${stat.size}:${stat.mtimeMs}\n`);
      }
    }
  };
  walk(dir);
  return hash.digest('hex');
}
