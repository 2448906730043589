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
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
