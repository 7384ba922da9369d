import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/server.js';

/** The compiled server, as `npm start` runs it (DESIGN.md §12). */
export const COMPILED_MAIN = join(PROJECT_ROOT, 'dist', 'main.js');

/**
 * Builds dist/ as `npm start` does, with scripts/build.mjs: a no-op when dist/ is fresh,
 * and a lock keeps test files running in parallel from building at the same time.
 * `only: 'server'` leaves the console alone, for tests that never load it.
 */
export async function buildCompiled(only?: 'server' | 'web'): Promise<void> {
  await promisify(execFile)(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build.mjs'), ...(only ? ['--only', only] : [])], {
    cwd: PROJECT_ROOT,
  });
}
