import { defineConfig } from 'vitest/config';

// The main suite: everything that needs no outside service. Real sockets are fine here;
// suites that need Redis or PostgreSQL are named *.int.test.ts and run by vitest.int.config.ts.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/*.int.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
