import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { FitDocument } from '@isoflop/fit';
import { parseCsv, rowsFromCsv } from '../../apps/cli/src/commands/fit.js';
import { akimaReference } from '../../packages/fit/fixtures/fixtures.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'apps/cli/bin/isoflop.js');
const synthetic = join(root, 'packages/fit/fixtures/synthetic-isoflop.csv');
const scratch = mkdtempSync(join(tmpdir(), 'isoflop-fit-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function isoflop(...args: string[]) {
  if (!existsSync(join(root, 'apps/cli/dist/main.js'))) throw new Error('build first: npx tsc -b');
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root });
}

describe('isoflop fit', () => {
  it('prints the contract document for a CSV with families, with bootstrap intervals', () => {
    const result = isoflop(
      'fit',
      synthetic,
      '--n',
      'params',
      '--flops',
      'flops',
      '--loss',
      'loss',
      '--family',
      'family',
      '--bootstrap',
      '20',
      '--json',
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const document = JSON.parse(result.stdout) as FitDocument;
    expect(Object.keys(document.families).sort()).toEqual(['arm', 'fast']);
    const arm = document.families.arm!;
    expect(arm.approach2).toMatchObject({
      a: expect.any(Number),
      b: expect.any(Number),
      a_ci: [expect.any(Number), expect.any(Number)],
    });
    expect(arm.approach2!.budgets[0]).toMatchObject({
      budget: 1e17,
      n_opt: expect.any(Number),
      d_opt: expect.any(Number),
      loss_opt: expect.any(Number),
    });
    for (const key of ['E', 'A', 'B', 'alpha', 'beta', 'a', 'b'])
      expect(arm.approach3).toHaveProperty(key, expect.any(Number));
    expect(document.efficiency[0]).toMatchObject({
      family: 'fast',
      baseline: 'arm',
      compute_ratio: expect.any(Number),
      at_loss: expect.any(Number),
    });
  });

  it('--estimator akima returns per family a, b and the budget optima with intervals, matching scipy to 1e-6', () => {
    const reference = akimaReference();
    const result = isoflop(
      'fit',
      join(root, 'packages/fit/fixtures/akima-isoflop.csv'),
      '--n',
      'params',
      '--flops',
      'flops',
      '--loss',
      'loss',
      '--family',
      'family',
      '--estimator',
      'akima',
      '--json',
    );
    expect(result.status).toBe(0);
    const document = JSON.parse(result.stdout) as FitDocument;
    const close = (actual: number | undefined, expected: number) =>
      expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(
        1e-6 * Math.max(1, Math.abs(expected)),
      );
    for (const family of ['arm', 'fast']) {
      const fit = document.families[family]!.approach2!;
      const expected = reference.families[family]!;
      expect(fit.estimator).toBe('akima');
      close(fit.a, expected.a);
      close(fit.b, expected.b);
      close(fit.a_ci?.[0], expected.a_ci[0]);
      close(fit.a_ci?.[1], expected.a_ci[1]);
      close(fit.b_ci?.[0], expected.b_ci[0]);
      close(fit.b_ci?.[1], expected.b_ci[1]);
      expect(fit.budgets.map((b) => b.budget)).toEqual(expected.budgets.map((b) => b.budget));
      fit.budgets.forEach((budget, i) => {
        const e = expected.budgets[i]!;
        for (const key of ['n_opt', 'd_opt', 'loss_opt'] as const) {
          close(budget[key], e[key]);
          close(budget[`${key}_ci`]?.[0], e[`${key}_ci`][0]);
          close(budget[`${key}_ci`]?.[1], e[`${key}_ci`][1]);
        }
      });
    }
    // The bad-minimum budget is named on stderr, one JSON warning per line.
    expect(result.stderr).toMatch(
      /"kind":"warning".*budget 3\.000e\+19 left out.*smallest or largest size/,
    );
  });

  it('rejects an unknown estimator and options of another estimator with exit 2', () => {
    const args = ['fit', synthetic, '--n', 'params', '--flops', 'flops', '--loss', 'loss'];
    const unknown = isoflop(...args, '--estimator', 'spline');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(
      /--estimator: expected one of parabola, parabola-nearest, akima, got 'spline'/,
    );
    const mixed = isoflop(...args, '--seed-noise', '0.01');
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/seedNoise: only with estimator 'akima', not 'parabola'/);
  });

  it('names a missing column and exits 2', () => {
    const result = isoflop(
      'fit',
      synthetic,
      '--n',
      'params',
      '--flops',
      'flops',
      '--loss',
      'val_loss',
      '--json',
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /--loss: no column 'val_loss' in .*synthetic-isoflop\.csv \(columns: 'family', 'params', 'tokens', 'flops', 'loss'\)/,
    );
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming the reason when nothing can be fitted', () => {
    const file = join(scratch, 'one-run.csv');
    writeFileSync(file, 'N,C,loss\n1e8,6e17,3.2\n');
    const result = isoflop('fit', file, '--n', 'N', '--flops', 'C', '--loss', 'loss');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /error: no family could be fitted: all \(approach2\): no IsoFLOP structure.*all \(approach3\): 1 runs/,
    );
  });
});

describe('CSV reading', () => {
  it('parses quoted fields with commas, quotes and CRLF line ends', () => {
    expect(parseCsv('"Model Size","note"\r\n1e8,"a, ""b"""\r\n\r\n2e8,c')).toEqual([
      ['Model Size', 'note'],
      ['1e8', 'a, "b"'],
      ['2e8', 'c'],
    ]);
  });

  it('derives D = C/(6N) from --flops and C = 6ND from --d, in one family named all', () => {
    const text = 'N,D,C,L\n1e8,2e9,1.2e18,3.1\n';
    const fromFlops = rowsFromCsv(text, 't.csv', { n: 'N', flops: 'C', loss: 'L' });
    const fromTokens = rowsFromCsv(text, 't.csv', { n: 'N', d: 'D', loss: 'L' });
    expect(fromFlops).toEqual([{ family: 'all', n: 1e8, d: 2e9, c: 1.2e18, loss: 3.1 }]);
    expect(fromTokens[0]!.c / 1.2e18).toBeCloseTo(1, 12);
    expect(() => rowsFromCsv(text, 't.csv', { n: 'N', loss: 'L' })).toThrow(
      /one of --d COL .* or --flops COL .* is required/,
    );
  });
});
