import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../src/server.js';
import { freePort } from '../../test/support/server-process.js';
import { startCommand } from '../../test/support/start-command.js';

/**
 * Child processes the benchmarks measure: the full Caseline server (`dist/main.js` with the
 * Node flags of `npm start`, exactly as `npm start` runs it) and the bare Fastify ceiling. Each runs in its own process so the
 * load generator (autocannon, in the bench process) and the server share the machine's two
 * cores the same way for both.
 */
export interface BenchProcess {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  output(): string;
  /** SIGTERM (or `signal`) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnOptions {
  script: string;
  env: Record<string, string>;
  port?: number;
  /** Extra `node` flags before the script, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Modules to import first (TypeScript, so tsx is registered for them). */
  imports?: string[];
  /** The path that answers 200 once the process is ready. */
  readyPath?: string;
  startTimeoutMs?: number;
}

/** Children still running; killed if the bench process ends early (an error, Ctrl-C). */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of live) child.kill('SIGKILL');
    process.exit(130);
  });
}

export async function spawnNodeServer(options: SpawnOptions): Promise<BenchProcess> {
  const port = options.port ?? (await freePort());
  const imports = (options.imports ?? []).flatMap((file) => ['--import', pathToFileURL(join(PROJECT_ROOT, file)).href]);
  // TypeScript (the ceiling, a profile's census module) runs under tsx; the compiled server
  // runs as `npm start` runs it, without a loader.
  const needsTsx = options.script.endsWith('.ts') || imports.length > 0;
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...(needsTsx ? ['--import', 'tsx'] : []), ...imports, join(PROJECT_ROOT, options.script)],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    // A noisy server must not grow the bench process; the tail is what explains a failure.
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.script} exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}${options.readyPath ?? '/healthz'}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.script} did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    pid: child.pid!,
    child,
    output: () => output,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve(child.exitCode);
          return;
        }
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

export const BENCH_SECRET_KEY = 'caseline-bench-secret-key-0123456789abcdef';
export const BENCH_ADMIN = { email: 'bench@example.org', password: 'bench-password-0123' };

export function startCaseline(options: {
  databaseUrl: string;
  dataDir: string;
  twilioApiUrl: string;
  port?: number;
  nodeArgs?: string[];
  imports?: string[];
  extraEnv?: Record<string, string>;
}): Promise<BenchProcess> {
  return (async () => {
    const port = options.port ?? (await freePort());
    buildCompiledServer();
    return spawnNodeServer({
      script: 'dist/main.js',
      port,
      nodeArgs: [...START_NODE_FLAGS, ...(options.nodeArgs ?? [])],
      imports: options.imports,
      env: {
        LOG_LEVEL: 'warn',
        CASELINE_DEMO: 'false',
        DATABASE_URL: options.databaseUrl,
        CASELINE_DATA_DIR: options.dataDir,
        CASELINE_SECRET_KEY: BENCH_SECRET_KEY,
        CASELINE_ADMIN_EMAIL: BENCH_ADMIN.email,
        CASELINE_ADMIN_PASSWORD: BENCH_ADMIN.password,
        CASELINE_TWILIO_API_URL: options.twilioApiUrl,
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        ...START.env,
        ...options.extraEnv,
      },
    });
  })();
}

/** What `npm start` sets and passes before `dist/main.js` (package.json's `start` script). */
const START = startCommand();
export const START_NODE_FLAGS: string[] = START.nodeFlags;

/** Builds `dist/` when stale, as `npm start` does first. */
function buildCompiledServer(): void {
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build.mjs')], { cwd: PROJECT_ROOT, stdio: 'ignore' });
}

export function startCeiling(): Promise<BenchProcess> {
  return spawnNodeServer({ script: 'bench/ceiling-server.ts', env: {}, readyPath: '/healthz' });
}

/** Memory of a process in MiB from /proc: the resident set now, and its peak (VmHWM). */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/**
 * Polls VmRSS while a phase runs and keeps the highest value: the peak of that phase alone
 * (VmHWM covers the process's whole life, start-up and earlier phases included).
 */
export function watchMemory(pid: number, intervalMs = 100) {
  let peak = memoryOf(pid)?.rssMiB ?? 0;
  const timer = setInterval(() => {
    const now = memoryOf(pid);
    if (now && now.rssMiB > peak) peak = now.rssMiB;
  }, intervalMs);
  return {
    stop(): { phasePeakRssMiB: number; lifetimePeakMiB: number } {
      clearInterval(timer);
      const now = memoryOf(pid);
      if (now && now.rssMiB > peak) peak = now.rssMiB;
      return { phasePeakRssMiB: round1(peak), lifetimePeakMiB: round1(now?.peakMiB ?? NaN) };
    },
  };
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
