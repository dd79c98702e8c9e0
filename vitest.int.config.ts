import { defineConfig } from 'vitest/config';

// Suites against real services (Redis on 127.0.0.1:6379, PostgreSQL on 127.0.0.1:5432, database `test`).
export default defineConfig({
  test: {
    include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
