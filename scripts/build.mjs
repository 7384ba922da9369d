#!/usr/bin/env node
// Builds what `npm start` runs: the server, compiled by tsc into dist/compiled
// (tsconfig.build.json), then packed by esbuild with the libraries it uses into a few files
// in dist/; and the console, built by Vite into dist/web. Each part is built only when it is
// missing or older than its sources, so a start after the first stays fast; prints one line.
//
//   node scripts/build.mjs            build what is stale (`npm start` runs this first)
//   node scripts/build.mjs --force    build both parts (`npm run build`)
//   node scripts/build.mjs --check    only say what is stale
//   --only server | --only web        one part (bin/caseline.js needs only the server)
//
// Several processes may build at once (test files run in parallel, `npx caseline` beside
// `npm start`), so a build holds a lock folder and checks again once it has it.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const compiled = join(dist, 'compiled');
const webSource = join(root, 'src', 'web');
const lockDir = join(dist, '.build.lock');

/** What a build read, kept beside its output; its mtime is when that build started. */
const stamps = { server: join(dist, '.build-server.json'), web: join(dist, '.build-web.json') };

class BuildError extends Error {}

/** Newest mtime of the files and folders under `dir` (a folder's changes when a file is moved out of it). */
function newestMtime(path, skip = () => false) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return Infinity;
  let newest = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) {
      const child = join(path, entry);
      if (entry === 'node_modules' || entry.startsWith('.') || skip(child)) continue;
      newest = Math.max(newest, newestMtime(child, skip));
    }
  }
  return newest;
}

function readStamp(part) {
  try {
    return { mtimeMs: statSync(stamps[part]).mtimeMs, ...JSON.parse(readFileSync(stamps[part], 'utf8')) };
  } catch {
    return null;
  }
}

/** Why a part needs building, or null when it is fresh. */
function staleReason(part) {
  const stamp = readStamp(part);
  if (part === 'server') {
    if (!stamp || !existsSync(join(dist, 'main.js'))) return 'dist/ was missing';
    const sources = Math.max(
      newestMtime(join(root, 'src'), (path) => path === webSource),
      newestMtime(join(root, 'tsconfig.json')),
      newestMtime(join(root, 'tsconfig.build.json')),
    );
    return sources > stamp.mtimeMs ? 'src/ was newer' : null;
  }
  if (!stamp || !existsSync(join(dist, 'web', 'index.html'))) return 'dist/web was missing';
  // The console also bundles what it imports from outside src/web (the API contract).
  const inputs = (stamp.inputs ?? []).map((input) => join(root, input));
  const sources = Math.max(newestMtime(webSource), ...inputs.map((input) => newestMtime(input)));
  return sources > stamp.mtimeMs ? 'src/web was newer' : null;
}

function writeStamp(part, startedMs, content) {
  writeFileSync(stamps[part], JSON.stringify(content, null, 1));
  // Dated to the start, so an edit made while the build ran makes the next start build again.
  utimesSync(stamps[part], startedMs / 1000, startedMs / 1000);
}

function resolveTool(specifier) {
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch {
    return null;
  }
}

async function buildServer() {
  const tsc = resolveTool('typescript/bin/tsc');
  const esbuild = resolveTool('esbuild');
  if (!tsc || !esbuild) return null;
  const started = Date.now();
  const output = await new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [tsc, '-p', join(root, 'tsconfig.build.json'), '--listEmittedFiles', '--pretty', 'false'],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => {
        if (error) reject(new BuildError(`tsc failed:\n${stdout.replace(/^TSFILE: .*\n/gm, '').trim() || error.message}`));
        else resolve(stdout);
      },
    ),
  );
  const emitted = new Set([...output.matchAll(/^TSFILE: (.+)$/gm)].map((match) => relative(compiled, match[1].trim())));
  removeLeftovers(compiled, emitted);
  const packed = await packServer(createRequire(import.meta.url)(esbuild));
  writeStamp('server', started, { files: [...emitted].sort().map((file) => join('compiled', file)), packed });
  return Date.now() - started;
}

/**
 * What runs: each entry point below with the modules and libraries it imports, packed into
 * one file and shared chunks, all side by side in dist/ (the threads' modules are found
 * beside the code that starts them). A server that loads 1,600 modules of source text holds
 * them in its heap; packed, with whitespace and dead branches stripped, it holds much less
 * (docs/decisions.md "A packed server"). Names are kept, so a stack trace still reads; the
 * source maps beside each file lead back to src/ (`node --enable-source-maps`).
 */
const PACKED_ENTRIES = {
  main: 'main.js',
  cli: 'cli.js',
  'second-writer-thread': 'db/sqlite/second-writer-thread.js',
  'store-batch-thread': 'services/inbound/store-batch-thread.js',
};

async function packServer(esbuild) {
  // The last pack's files go first (their names carry content hashes), and so does anything
  // else beside them, such as the module tree that builds before packing left here.
  for (const entry of readdirSync(dist)) {
    if (!entry.startsWith('.') && entry !== 'web' && entry !== 'compiled') rmSync(join(dist, entry), { recursive: true, force: true });
  }
  try {
    const result = await esbuild.build({
      entryPoints: Object.fromEntries(Object.entries(PACKED_ENTRIES).map(([name, file]) => [name, join(compiled, file)])),
      outdir: dist,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // A native addon, and pg's optional native binding, load from node_modules as they are.
      external: ['better-sqlite3', 'pg-native'],
      minifyWhitespace: true,
      minifySyntax: true,
      sourcemap: 'linked',
      // The libraries written as CommonJS call `require`, which an ES module lacks.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      logLevel: 'silent',
      metafile: true,
      absWorkingDir: root,
    });
    return Object.keys(result.metafile.outputs)
      .map((path) => relative(dist, join(root, path)))
      .filter((path) => !path.endsWith('.map'))
      .sort();
  } catch (error) {
    throw new BuildError(`esbuild failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Deletes compiled files whose source is gone (moved or removed), so dist/compiled mirrors src/. */
function removeLeftovers(dir, emitted) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) {
      removeLeftovers(path, emitted);
      if (readdirSync(path).length === 0) rmdirSync(path);
    } else if (!emitted.has(relative(compiled, path))) rmSync(path);
  }
}

async function buildWeb() {
  const vite = resolveTool('vite');
  if (!vite) return null;
  const started = Date.now();
  const { build } = await import(pathToFileURL(vite).href);
  const inputs = new Set();
  const collectInputs = {
    name: 'caseline-build-inputs',
    buildEnd() {
      for (const id of this.getModuleIds()) {
        const path = id.split('?')[0];
        if (path.startsWith(root) && !path.includes(`${sep}node_modules${sep}`) && !path.startsWith(webSource)) {
          inputs.add(relative(root, path));
        }
      }
    },
  };
  try {
    await build({ configFile: join(webSource, 'vite.config.ts'), logLevel: 'error', plugins: [collectInputs] });
  } catch (error) {
    throw new BuildError(`Vite failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  writeStamp('web', started, { inputs: [...inputs].sort() });
  return Date.now() - started;
}

const parts = {
  server: { name: 'server', output: 'dist/main.js', tool: 'TypeScript or esbuild', build: buildServer },
  web: { name: 'console', output: 'dist/web/index.html', tool: 'Vite', build: buildWeb },
};

async function withLock(work) {
  mkdirSync(dist, { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (lockIsAbandoned()) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new BuildError(`another build has held ${relative(root, lockDir)} for 10 minutes`);
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** A lock whose process has ended (killed mid-build) or that is older than any build. */
function lockIsAbandoned() {
  try {
    const pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return Date.now() - statSync(lockDir).mtimeMs > 10 * 60_000;
  } catch (error) {
    // No pid file yet: its owner is between mkdir and writing it, unless that was long ago.
    if (error.code === 'ENOENT') return Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 10_000;
    return error.code === 'ESRCH';
  }
}

/**
 * Builds the stale parts among `only` (both by default). Answers one line saying what it
 * did, and whether anything was built; throws a BuildError when a build fails or a stale
 * part cannot be built and has no earlier build to run.
 */
export async function ensureBuilt({ only = ['server', 'web'], force = false, check = false } = {}) {
  const reasons = () => Object.fromEntries(only.map((part) => [part, force ? 'forced' : staleReason(part)]));
  let stale = reasons();
  const report = [];
  let built = false;
  if (!check && only.some((part) => stale[part])) {
    await withLock(async () => {
      stale = force ? stale : reasons();
      for (const part of only) {
        if (!stale[part]) continue;
        const { name, output, tool, build } = parts[part];
        const ms = await build();
        if (ms !== null) {
          built = true;
          stale[part] = `built in ${(ms / 1000).toFixed(1)}s (${stale[part]})`;
        } else if (existsSync(join(root, output))) {
          stale[part] = `${stale[part]} but ${tool} is not installed (npm install --include=dev): running the earlier build`;
        } else {
          throw new BuildError(`the ${name} is not built and ${tool} is not installed (npm install --include=dev)`);
        }
      }
    });
  }
  for (const part of only)
    report.push(`${parts[part].name} ${stale[part] ? (check ? `stale (${stale[part]})` : stale[part]) : 'up to date'}`);
  return { line: `build: ${report.join('; ')}`, built };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? [args[onlyAt + 1]] : undefined;
  if (only && !(only[0] in parts)) {
    console.error('build: --only takes "server" or "web"');
    process.exit(2);
  }
  try {
    const { line } = await ensureBuilt({ only, force: args.includes('--force'), check: args.includes('--check') });
    console.log(line);
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    console.error(`build: ${error.message}`);
    process.exit(1);
  }
}
