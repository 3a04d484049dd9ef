import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A hang guard only (the pack and sweep tests spawn npm and child processes);
    // no test asserts on elapsed time.
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
