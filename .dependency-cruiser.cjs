/**
 * Keeps the dependency directions of docs/ARCHITECTURE.md true. `allowed` is the map's "may import" column
 * as an allow-list: an import that no rule below allows fails `npm run check:deps` (rule not-in-allowed).
 * `forbidden` adds what an allow-list cannot say: which library only one package may touch, and no I/O in
 * the pure packages. tests/architecture/check-deps.test.ts shows a forbidden import failing.
 */
const pureIo =
  '^(fs|node:fs|fs/promises|node:fs/promises|child_process|node:child_process|net|node:net|http|node:http)$';

/** Workspace -> the workspaces it may import (ARCHITECTURE.md, "Layout"). */
const MAY_IMPORT = {
  'packages/random': [],
  'packages/graph': [],
  'packages/models': ['packages/graph', 'packages/random'],
  'packages/data': [],
  'packages/trainer': ['packages/models', 'packages/data', 'packages/graph'],
  // The adaptive decision step fits Approach 2 with fit's pure pieces.
  'packages/planner': ['packages/models', 'packages/fit'],
  'packages/fit': ['packages/random'],
  'packages/store': [],
  'packages/queue': ['packages/planner'],
  // data: the corpus-path check (stat only) before a submitted sweep is stored.
  'packages/orchestrator': [
    'packages/store',
    'packages/queue',
    'packages/planner',
    'packages/fit',
    'packages/data',
  ],
  // Data: the server serves prepared token shards to remote workers by content hash.
  'apps/server': [
    'packages/orchestrator',
    'packages/store',
    'packages/planner',
    'packages/fit',
    'packages/data',
  ],
  // The planner: the run contracts and the device names it checks ISOFLOP_DEVICE against.
  'apps/worker': ['packages/queue', 'packages/trainer', 'packages/planner'],
  'apps/cli': ['apps/[^/]+', 'packages/[^/]+'],
  // The GPU host check trains and times the families through the trainer's sessions.
  'apps/gpu-check': ['packages/trainer', 'packages/models', 'packages/graph'],
};

/** Imports of types only (erased at run time): the run contracts the trainer uses. */
const MAY_IMPORT_TYPES = {
  'packages/trainer': ['packages/planner'],
};

const workspaceRules = (table, extra) =>
  Object.entries(table).map(([from, targets]) => ({
    from: { path: `^${from}/` },
    to: { path: `^(${targets.join('|') || '(?!)'})/`, ...extra },
  }));

module.exports = {
  allowed: [
    // Inside one workspace.
    { from: { path: '^(packages|apps)/([^/]+)/' }, to: { path: '^$1/$2/' } },
    // Node's own modules (the pure packages' I/O is forbidden below) and the libraries a workspace declares.
    { from: {}, to: { dependencyTypes: ['core'] } },
    { from: {}, to: { dependencyTypes: ['npm'] } },
    // Tests and benches beside the code may use the root's dev dependencies (vitest, ...).
    { from: { path: '(\\.test\\.ts$|/bench/)' }, to: { dependencyTypes: ['npm-dev'] } },
    ...workspaceRules(MAY_IMPORT, {}),
    ...workspaceRules(MAY_IMPORT_TYPES, { dependencyTypes: ['type-only'] }),
  ],
  allowedSeverity: 'error',
  forbidden: [
    {
      name: 'pure-packages-do-no-io',
      severity: 'error',
      from: { path: '^packages/(random|graph|planner|fit)/src/(?!.*\\.test\\.ts$)' },
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
