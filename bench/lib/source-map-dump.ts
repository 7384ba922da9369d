import { readdirSync, writeFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Loaded into a profiled server (`--enable-source-maps --import tsx --import` this file):
 * at exit, writes the source maps tsx made for our src/ files to
 * CASELINE_SOURCE_MAP_DUMP, so the profile summary can name lines of the TypeScript
 * (tsx compiles each file onto one line, and the profile only knows that line's columns).
 */
const target = process.env.CASELINE_SOURCE_MAP_DUMP;
const root = join(process.cwd(), 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

if (target) {
  process.on('exit', () => {
    const maps: Record<string, unknown> = {};
    for (const file of files(root)) {
      const url = pathToFileURL(file).href;
      const map = findSourceMap(url) ?? findSourceMap(file);
      if (map) maps[url] = map.payload;
    }
    writeFileSync(target, JSON.stringify(maps));
  });
}
