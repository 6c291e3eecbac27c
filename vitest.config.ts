import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // the real-sshd suites share one lab daemon per file and must not race each other for ports
    fileParallelism: true,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
