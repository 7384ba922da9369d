import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/server.js';
import { ensureSeed, type Seed, type SeedMeta } from '../seed.js';
import { pgAdmin, type BenchDialect } from './databases.js';

/**
 * The newest cached seed of these sizes, even one built before the latest migrations, else a
 * new one (`ensureSeed`). A seed's cache key covers every migration, so on a tree whose
 * migrations keep changing each run would build a new million-case seed; the summary and
 * export benchmarks instead take the last one, and the server migrates its copy on start,
 * as an installation upgrading would.
 */
export async function newestSeed(
  dialect: BenchDialect,
  sizes: { cases: number; messages: number },
  log: (line: string) => void,
): Promise<Seed> {
  const prefix = `seed_v1_${sizes.cases}_${sizes.messages}_`;
  if (dialect === 'sqlite') {
    const dir = join(PROJECT_ROOT, 'bench', '.cache');
    const files = existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => name.startsWith(prefix) && name.endsWith('.db') && existsSync(join(dir, `${name}.json`)))
          .map((name) => join(dir, name))
          .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
      : [];
    if (files[0]) {
      const meta = JSON.parse(readFileSync(`${files[0]}.json`, 'utf8')) as SeedMeta;
      log(`  using the cached seed ${files[0].slice(PROJECT_ROOT.length + 1)} (built ${meta.createdAt})`);
      return { meta, source: files[0], built: false };
    }
    return ensureSeed(dialect, sizes, log);
  }
  const templates = await pgAdmin(async (client) => {
    const rows = await client.query<{ datname: string; comment: string | null }>(
      `select datname, shobj_description(oid, 'pg_database') as comment from pg_database where datname like $1`,
      [`caseline_bench_${prefix}%`],
    );
    return rows.rows
      .filter((row) => row.comment)
      .map((row) => ({ name: row.datname, meta: JSON.parse(row.comment!) as SeedMeta }))
      .sort((a, b) => b.meta.createdAt.localeCompare(a.meta.createdAt));
  });
  if (templates[0]) {
    log(`  using the cached seed template ${templates[0].name} (built ${templates[0].meta.createdAt})`);
    return { meta: templates[0].meta, source: templates[0].name, built: false };
  }
  return ensureSeed(dialect, sizes, log);
}
