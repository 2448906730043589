import { describe, expect, it } from 'vitest';
import { syntheticReference, syntheticRows } from '../fixtures/fixtures.js';
import { groupBudgets } from './budget-groups.js';
import { budgetVertex, fitIsoflopExponents } from './isoflop-fit.js';

const reference = syntheticReference();
const rows = syntheticRows();

describe('Approach 2 against numpy.polyfit (fixtures/synthetic_isoflop.py)', () => {
  for (const family of ['arm', 'fast']) {
    for (const variant of ['all', 'nearest5'] as const) {
      it(`${family}, quadratics on ${variant === 'all' ? 'every run' : 'the 5 runs nearest the minimum'}`, () => {
        const mine = rows.filter((r) => r.family === family);
        const fit = fitIsoflopExponents(
          mine,
          groupBudgets(mine, 0.05),
          variant === 'all' ? {} : { nearestK: 5 },
        );
        const expected = reference.families[family]![variant];
        expect(fit.used).toBe(expected.budgets.length);
        fit.vertices.forEach((v, i) => {
          const e = expected.budgets[i]!;
          expect(v.flag).toBeUndefined();
          expect(v.budget / e.budget).toBeCloseTo(1, 12);
          expect(v.nOpt / e.n_opt).toBeCloseTo(1, 9);
          expect(v.dOpt / e.d_opt).toBeCloseTo(1, 9);
          expect(v.lossOpt).toBeCloseTo(e.loss_opt, 10);
          expect(v.parabola.c2).toBeCloseTo(e.parabola[0], 8);
        });
        expect(fit.a).toBeCloseTo(expected.a, 10);
        expect(fit.b).toBeCloseTo(expected.b, 10);
        expect(fit.nCoefficient / expected.n_opt_coefficient).toBeCloseTo(1, 8);
        expect(fit.dCoefficient / expected.d_opt_coefficient).toBeCloseTo(1, 8);
        expect(fit.k / expected.k).toBeCloseTo(1, 9);
        expect(fit.gamma).toBeCloseTo(expected.gamma, 10);
      });
    }
  }
});

describe('budget flags', () => {
  const group = { budget: 1e18, members: [0, 1, 2, 3] };

  it('flags a vertex outside the sampled sizes (loss still falling at the largest N)', () => {
    const falling = [1e7, 2e7, 4e7, 8e7].map((n, i) => ({ n, loss: 4 - 0.3 * i + 0.02 * i * i }));
    expect(budgetVertex(falling, group, {}).flag).toBe('vertex-outside-range');
  });

  it('flags non-positive curvature', () => {
    const hump = [1e7, 2e7, 4e7, 8e7].map((n, i) => ({ n, loss: 3 + 0.2 * i - 0.1 * i * i }));
    expect(budgetVertex(hump, group, {}).flag).toBe('non-positive-curvature');
  });

  it('flags fewer than three distinct sizes, counting only runs with positive weight', () => {
    const fine = [1e7, 2e7, 4e7, 8e7].map((n, i) => ({ n, loss: 3 + 0.1 * (i - 1.5) ** 2 }));
    expect(budgetVertex(fine, group, {}).flag).toBeUndefined();
    expect(budgetVertex(fine, group, { weight: [2, 0, 0, 2] }).flag).toBe('too-few-sizes');
  });
});
