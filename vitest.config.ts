import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    // Production hashes passwords at scrypt N=2^17 (~0.3 s, 128 MiB each); tests create
    // users by the hundred, so they hash at the lowest cost the server accepts (2^14).
    env: { CASELINE_SCRYPT_COST_LOG2: '14' },
    hookTimeout: 60_000,
    // Browser and multi-process tests start servers; two cores run two files at a time.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
