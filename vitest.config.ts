import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser and multi-process tests start servers; two cores run two files at a time.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
