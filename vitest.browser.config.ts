import { defineConfig } from 'vitest/config';

// Browser tests drive Debian's chromium against the real server; they run on their own (npm run test:browser).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    // expect.poll waits 1 s by default: on a loaded CI machine a page can take longer than that to show the result
    // of a request (a 300-lead status move did, and failed a run). A poll that succeeds returns at once.
    expect: { poll: { timeout: 15_000 } },
  },
});
