#!/usr/bin/env node
// Builds the web console into dist/web, but only when it is missing or older than a file
// under src/web, so `npm start` stays fast after the first run. Prints one line.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const webDir = join(root, 'src', 'web');
const builtIndex = join(root, 'dist', 'web', 'index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function isStale() {
  if (!existsSync(builtIndex)) return 'missing';
  return newestMtime(webDir) > statSync(builtIndex).mtimeMs ? 'older than src/web' : null;
}

const reason = isStale();
if (!reason || process.argv.includes('--check')) {
  console.log(reason ? `web console: dist/web is ${reason}` : 'web console: dist/web is up to date');
} else {
  const started = Date.now();
  let build;
  try {
    ({ build } = await import('vite'));
  } catch {
    // A production install without devDependencies can still serve a console built before.
    const usable = existsSync(builtIndex);
    console[usable ? 'log' : 'error'](
      `web console: dist/web is ${reason} and Vite is not installed (npm install --include=dev)${usable ? '; serving the old build' : ''}`,
    );
    process.exit(usable ? 0 : 1);
  }
  try {
    await build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'error' });
  } catch (error) {
    console.error(`web console: build failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
  console.log(`web console: built dist/web (${reason}) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
