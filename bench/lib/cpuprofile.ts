import { SourceMap } from 'node:module';
import { PROJECT_ROOT } from '../../src/server.js';

/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and ranks where the time went: by
 * function (self time: the function itself was on top of the stack; total time: it was
 * anywhere on the stack), and by where the code lives (our src/, each package, Node's
 * internals, native code, the garbage collector, idle).
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export type SourceMapPayload = ConstructorParameters<typeof SourceMap>[0];

/**
 * Rewrites the positions of frames in our compiled code to the TypeScript they came from,
 * with the build's source maps (the .js.map files beside them in dist/).
 */
export function mapToSources(profile: CpuProfile, maps: Record<string, SourceMapPayload>): void {
  const parsed = new Map<string, SourceMap>();
  for (const node of profile.nodes) {
    const payload = maps[node.callFrame.url];
    if (!payload) continue;
    let map = parsed.get(node.callFrame.url);
    if (!map) {
      map = new SourceMap(payload);
      parsed.set(node.callFrame.url, map);
    }
    const entry = map.findEntry(node.callFrame.lineNumber, node.callFrame.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (typeof entry.originalLine === 'number') {
      node.callFrame.lineNumber = entry.originalLine;
      node.callFrame.columnNumber = entry.originalColumn ?? 0;
      // A compiled build's maps name the TypeScript file the line came from.
      if (entry.originalSource) node.callFrame.url = new URL(entry.originalSource, node.callFrame.url).href;
    }
  }
}

export interface Ranked {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  samples: number;
  byArea: Ranked[];
  bySelf: Ranked[];
  byTotal: Ranked[];
  /** Total time of our own functions (src/), the ones to optimise. */
  ownByTotal: Ranked[];
}

function location(url: string): string {
  let path = url.replace(/^file:\/\//, '');
  if (path.startsWith(PROJECT_ROOT)) path = path.slice(PROJECT_ROOT.length + 1);
  const packageIndex = path.lastIndexOf('node_modules/');
  if (packageIndex >= 0) path = path.slice(packageIndex + 'node_modules/'.length);
  return path;
}

function area(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return functionName;
    return '(native: V8 builtins, C++ addons)';
  }
  if (url.startsWith('node:')) return 'node: internals';
  const path = location(url);
  if (path.startsWith('src/')) return `src/${path.split('/')[1]}`;
  if (url.includes('node_modules/')) {
    const parts = path.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return path;
}

function key(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  return `${name}  ${location(frame.url)}:${frame.lineNumber + 1}`;
}

function rank(map: Map<string, number>, totalMs: number, limit: number): Ranked[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, share: Math.round((us / 1000 / totalMs) * 1000) / 10 }));
}

/**
 * `window` (µs on the system's monotonic clock, which V8's profiler and
 * `process.hrtime` share) keeps only the samples taken while the load ran, leaving out
 * start-up and set-up.
 */
export function summariseProfile(
  profile: CpuProfile,
  options: { limit?: number; window?: { fromUs: number; toUs: number } } = {},
): ProfileSummary {
  const limit = options.limit ?? 30;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areas = new Map<string, number>();
  const own = new Map<string, number>();
  let totalUs = 0;
  let samples = 0;
  let at = profile.startTime;
  // timeDeltas[i] is the time before sample i; the time after it belongs to it.
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (options.window && (at < options.window.fromUs || at > options.window.toUs)) continue;
    const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    totalUs += us;
    samples++;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    const k = key(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + us);
    const a = area(node.callFrame);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      const fk = key(frame);
      if (seen.has(fk)) continue;
      seen.add(fk);
      total.set(fk, (total.get(fk) ?? 0) + us);
      if (frame.url && location(frame.url).startsWith('src/')) own.set(fk, (own.get(fk) ?? 0) + us);
    }
  }
  const totalMs = totalUs / 1000;
  return {
    totalMs: Math.round(totalMs),
    samples,
    byArea: rank(areas, totalMs, limit),
    bySelf: rank(self, totalMs, limit),
    byTotal: rank(total, totalMs, limit),
    ownByTotal: rank(own, totalMs, limit),
  };
}

export function formatRanked(title: string, rows: Ranked[]): string {
  const lines = [title, `${'ms'.padStart(9)} ${'%'.padStart(6)}  where`];
  for (const row of rows) lines.push(`${row.ms.toFixed(1).padStart(9)} ${row.share.toFixed(1).padStart(6)}  ${row.name}`);
  return lines.join('\n');
}
