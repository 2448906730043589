import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@isoflop\/server\/defaults$/, replacement: `${root}apps/server/src/defaults.ts` },
      {
        find: /^@isoflop\/trainer\/process-priority$/,
        replacement: `${root}packages/trainer/src/process-priority.ts`,
      },
      { find: /^@isoflop\/(server|worker)$/, replacement: `${root}apps/$1/src/index.ts` },
      { find: /^@isoflop\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/support/global-setup.ts'],
    // Training at a worker's niceness (10) gives the cores to whatever else runs; beside another test
    // file's CPU-heavy work that starves a test's training runs. The priority tests set their own.
    env: { ISOFLOP_NICE: '0' },
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
