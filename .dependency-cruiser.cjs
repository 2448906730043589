/** Keeps the dependency directions of ARCHITECTURE.md true. */
const pureIo =
  '^(fs|node:fs|fs/promises|node:fs/promises|child_process|node:child_process|net|node:net|http|node:http)$';
module.exports = {
  forbidden: [
    {
      name: 'no-package-imports-app',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'pure-packages-do-no-io',
      severity: 'error',
      from: { path: '^packages/(graph|planner|fit)/src/(?!.*\\.test\\.ts$)' },
      to: { path: pureIo },
    },
    {
      name: 'only-store-touches-sqlite',
      severity: 'error',
      from: { pathNot: '^packages/store/' },
      to: { path: 'node_modules/(better-sqlite3|drizzle-orm)/' },
    },
    {
      name: 'only-queue-and-worker-touch-bullmq',
      severity: 'error',
      from: { pathNot: '^(packages/queue|apps/worker)/' },
      to: { path: 'node_modules/bullmq/' },
    },
    {
      name: 'server-never-trains',
      severity: 'error',
      from: { path: '^apps/server/' },
      to: { path: '^packages/trainer/' },
    },
    {
      name: 'worker-never-writes-sqlite',
      severity: 'error',
      from: { path: '^apps/worker/' },
      to: { path: '^packages/store/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.tests.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
