import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the memory harness: strict tracking, per-test freeing, a per-file leak check (test/helpers/setup.ts)
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
