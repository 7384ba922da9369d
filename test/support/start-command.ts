import { readFileSync } from 'node:fs';

/**
 * What `npm start` runs (package.json's `start` script): the environment it sets before
 * `node` and the Node flags it passes before dist/main.js. Tests and benchmarks that start
 * the compiled server use both, so they measure what production runs.
 */
export function startCommand(): { env: Record<string, string>; nodeFlags: string[] } {
  const packageJson = new URL('../../package.json', import.meta.url);
  const { scripts } = JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.split(/\s+/);
  const node = words.indexOf('node');
  const env = Object.fromEntries(
    words.slice(0, node).map((assignment) => {
      const equals = assignment.indexOf('=');
      return [assignment.slice(0, equals), assignment.slice(equals + 1)];
    }),
  );
  const nodeFlags = words.slice(node + 1, words.indexOf('dist/main.js')).filter((word) => word.startsWith('--'));
  return { env, nodeFlags };
}
