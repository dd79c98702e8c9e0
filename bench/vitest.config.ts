import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The harness's own unit tests (percentiles, tables, message templates, ACK checks, the child protocol).
// The root vitest.config.ts covers src/ and test/ only; run these with
//   npx vitest run --config bench/vitest.config.ts
// They check behaviour, never timing: the benchmarks themselves assert nothing.
export default defineConfig({
  // Keep vite's cache with the repository's, not in a node_modules folder under bench/.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite/bench', import.meta.url)),
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
