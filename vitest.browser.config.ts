import { defineConfig } from 'vitest/config';

// Browser tests drive Debian's chromium against the real server; they run on their own (npm run test:browser).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
