#!/usr/bin/env node
// `npx caseline …` runs the compiled CLI (dist/cli.js), compiling the server first when
// dist/ is missing or older than src/ — no TypeScript loader at run time.
import { ensureBuilt } from '../scripts/build.mjs';

try {
  const { line, built } = await ensureBuilt({ only: ['server'] });
  // Quiet when there was nothing to build: the CLI's own output is what callers read.
  if (built) console.error(line);
} catch (error) {
  console.error(`caseline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
await import(new URL('../dist/cli.js', import.meta.url).href);
