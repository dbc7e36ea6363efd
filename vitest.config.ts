import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Vitest's default is one fewer worker than cores: one on a 2-core machine, where the suite then waits on the
    // database half the time. One more worker than cores: on 2 cores the SQLite suite took 3.5 min with 3 workers
    // (206 s of test time), the PostgreSQL one 6 min (458 s). Every test file has its own database or schema.
    maxWorkers: availableParallelism() + 1,
  },
});
