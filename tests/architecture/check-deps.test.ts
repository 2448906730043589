import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');

let tree: string | undefined;

afterEach(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
  tree = undefined;
});

/** A miniature workspace (same layout, same path aliases) with the given files, checked by our rules. */
function checkDeps(files: Record<string, string>): { status: number | null; output: string } {
  tree = mkdtempSync(join(tmpdir(), 'isoflop-deps-'));
  const all: Record<string, string> = {
    'tsconfig.tests.json': JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        paths: { '@isoflop/*': ['./packages/*/src/index.ts'] },
      },
    }),
    'packages/store/package.json': JSON.stringify({ name: '@isoflop/store', type: 'module' }),
    'packages/store/src/index.ts': 'export const openStore = (file: string) => file;\n',
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
  const result = spawnSync(
    DEPCRUISE,
    ['packages', '--config', join(ROOT, '.dependency-cruiser.cjs')],
    // CI=true makes depcruise colour its report; the assertions read plain text.
    { cwd: tree, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const importsStore =
  "import { openStore } from '@isoflop/store';\nexport const open = openStore;\n";

describe('npm run check:deps (the allow-list of ARCHITECTURE.md)', () => {
  it('passes an import the map allows: the orchestrator uses the store', () => {
    const result = checkDeps({
      'packages/orchestrator/package.json': JSON.stringify({ name: '@isoflop/orchestrator' }),
      'packages/orchestrator/src/index.ts': importsStore,
    });
    expect(result.output).toContain('no dependency violations found');
    expect(result.status).toBe(0);
  });

  it('fails an import the map does not allow: the pure fit package using the store', () => {
    const result = checkDeps({
      'packages/fit/package.json': JSON.stringify({ name: '@isoflop/fit' }),
      'packages/fit/src/index.ts': importsStore,
    });
    expect(result.output).toContain(
      'not-in-allowed: packages/fit/src/index.ts → packages/store/src/index.ts',
    );
    expect(result.status).not.toBe(0);
  });
});
