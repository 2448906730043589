import { describe, expect, it } from 'vitest';
import { akimaReference, syntheticRows } from '../fixtures/fixtures.js';
import { akimaDerivatives, evaluateAkima } from './akima-interpolation.js';
import { nameKey, streamRng } from './bootstrap.js';
import type { RunRow } from './fit-document.js';
import { fitRuns, type FitOptions } from './fit-runs.js';
import { chinchillaInitGrid } from './parametric-fit.js';

const reference = akimaReference();
const rows = syntheticRows('akima-isoflop.csv');
// Approach 3 is fitted too; five starts keep these Approach-2 tests fast.
const inits = chinchillaInitGrid().filter((_, i) => i % 900 === 0);
const fit = (runs: readonly RunRow[], options: FitOptions = {}) =>
  fitRuns(runs, { inits, ...options });

/** Relative agreement to `tolerance` (absolute below magnitude 1). */
function expectClose(actual: number | undefined, expected: number, tolerance = 1e-6) {
  expect(actual).toBeDefined();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(
    tolerance * Math.max(1, Math.abs(expected)),
  );
}

function expectIntervalClose(actual: [number, number] | undefined, expected: [number, number]) {
  expect(actual).toBeDefined();
  expectClose(actual![0], expected[0]);
  expectClose(actual![1], expected[1]);
}

describe('Akima interpolation against scipy.interpolate.Akima1DInterpolator', () => {
  it('matches its values and knot derivatives, straight stretch included', () => {
    const { x, y, at, values, derivatives } = reference.probe;
    const mine = evaluateAkima(x, y, at, new Float64Array(at.length));
    values.forEach((value, i) => expect(mine[i]).toBeCloseTo(value, 12));
    const slopes = akimaDerivatives(x, y);
    derivatives.forEach((slope, i) => expect(slopes[i]).toBeCloseTo(slope, 12));
  });
});

describe('the seed-noise generator is the one the reference reimplements', () => {
  it('draws the same first normal for (seed 0, arm, Akima stream, budget 0)', () => {
    expect(streamRng(0, nameKey('arm'), 4, 0).nextNormal()).toBeCloseTo(
      reference.first_normals[0]!,
      14,
    );
  });
});

describe('akima estimator against scipy (fixtures/akima_isoflop.py), asymmetric grids', () => {
  const document = fit(rows, { estimator: 'akima' });
  for (const family of ['arm', 'fast']) {
    it(`${family}: per-budget optima, weights, intervals and the weighted power laws to 1e-6`, () => {
      const expected = reference.families[family]!;
      const fit = document.families[family]!.approach2!;
      expect(fit.estimator).toBe('akima');
      expect(fit.seed_noise).toEqual({ draws: 1000, noise: 0.005, std_floor: 0.33, seed: 0 });
      expect(fit.excluded_budgets.map((b) => [b.budget, b.reason])).toEqual(
        expected.excluded_budgets.map((b) => [b.budget, b.reason]),
      );
      expect(fit.budgets).toHaveLength(expected.budgets.length);
      fit.budgets.forEach((budget, i) => {
        const e = expected.budgets[i]!;
        expect(budget.budget).toBe(e.budget);
        expect([budget.runs, budget.sizes, budget.interior_draws]).toEqual([
          e.runs,
          e.sizes,
          e.interior_draws,
        ]);
        expectClose(budget.n_opt, e.n_opt);
        expectClose(budget.d_opt, e.d_opt);
        expectClose(budget.loss_opt, e.loss_opt);
        expectClose(budget.log_n_std, e.log_n_std);
        expectIntervalClose(budget.n_opt_ci, e.n_opt_ci);
        expectIntervalClose(budget.d_opt_ci, e.d_opt_ci);
        expectIntervalClose(budget.loss_opt_ci, e.loss_opt_ci);
      });
      expectClose(fit.a, expected.a);
      expectClose(fit.b, expected.b);
      expectClose(fit.n_opt_coefficient, expected.n_opt_coefficient);
      expectClose(fit.d_opt_coefficient, expected.d_opt_coefficient);
      expectClose(fit.loss_frontier.k, expected.k);
      expectClose(fit.loss_frontier.gamma, expected.gamma);
      expectIntervalClose(fit.a_ci, expected.a_ci);
      expectIntervalClose(fit.b_ci, expected.b_ci);
      expectIntervalClose(fit.n_opt_coefficient_ci, expected.n_opt_coefficient_ci);
      expectIntervalClose(fit.d_opt_coefficient_ci, expected.d_opt_coefficient_ci);
      expectIntervalClose(fit.loss_frontier.k_ci, expected.k_ci);
      expectIntervalClose(fit.loss_frontier.gamma_ci, expected.gamma_ci);
    });
  }

  it('gives compute-ratio intervals from paired draws without a run bootstrap', () => {
    const ratios = document.efficiency.filter((e) => e.method === 'approach2');
    expect(ratios.length).toBeGreaterThan(0);
    for (const ratio of ratios) expect(ratio.compute_ratio_ci).toHaveLength(2);
    expect(document.bootstrap).toBeUndefined();
  });
});

describe('bias on an asymmetric grid, noise-free losses of a known law', () => {
  // Chinchilla-like law: a = beta / (alpha + beta). Eight sizes per budget over two decades, lopsided
  // around N_opt: from 1.8 decades below and 0.2 above at the smallest budget to 0.2 below and 1.8 above
  // at the largest, as a grid placed around a wrong guess of the exponent leaves them.
  const law = { E: 1.9, A: 480, B: 2100, alpha: 0.35, beta: 0.37 };
  const trueA = law.beta / (law.alpha + law.beta);
  const g = ((law.alpha * law.A) / (law.beta * law.B)) ** (1 / (law.alpha + law.beta));
  const budgets = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20];
  const asymmetric: RunRow[] = budgets.flatMap((c, b) => {
    const low = -1.8 + (1.6 * b) / (budgets.length - 1);
    return Array.from({ length: 8 }, (_, i) => {
      const n = g * (c / 6) ** trueA * 10 ** (low + (2 * i) / 7);
      const d = c / (6 * n);
      const loss = law.E + law.A / n ** law.alpha + law.B / d ** law.beta;
      return { family: 'arm', n, d, c, loss };
    });
  });

  it('is smaller for akima (Δa = +0.0005) than for the full-range parabola (Δa = +0.040)', () => {
    const parabola = fit(asymmetric, { estimator: 'parabola' }).families.arm!.approach2!;
    const akima = fit(asymmetric, { estimator: 'akima' }).families.arm!.approach2!;
    const parabolaBias = Math.abs(parabola.a - trueA);
    const akimaBias = Math.abs(akima.a - trueA);
    expect(parabola.budgets).toHaveLength(budgets.length);
    expect(akima.budgets).toHaveLength(budgets.length);
    expect(akimaBias).toBeLessThan(parabolaBias);
    expect(akimaBias).toBeLessThan(0.002);
    expect(parabolaBias).toBeGreaterThan(0.035);
  });
});

describe('estimator options', () => {
  it('keeps nearestK meaning the nearest-k parabola, and rejects options of another estimator', () => {
    const nearest = fit(rows, { nearestK: 5 }).families.arm!.approach2!;
    expect(nearest.estimator).toBe('parabola-nearest');
    expect(nearest.nearest_k).toBe(5);
    expect(fit(rows, { estimator: 'parabola-nearest' }).families.arm!.approach2!.nearest_k).toBe(5);
    expect(fit(rows).families.arm!.approach2!.estimator).toBe('parabola');
    expect(() => fit(rows, { estimator: 'akima', nearestK: 5 })).toThrow(/nearestK/);
    expect(() => fit(rows, { seedNoise: 0.01 })).toThrow(/seedNoise: only with estimator/);
    expect(() => fit(rows, { estimator: 'spline' as unknown as 'akima' })).toThrow(
      /estimator: expected one of parabola, parabola-nearest, akima/,
    );
    expect(() => fit(rows, { estimator: 'akima', stdFloor: 0 })).toThrow(/stdFloor/);
  });

  it('uses each run’s loss at exactly its budget where given, and leaves out runs without one', () => {
    const base = rows.filter((r) => r.family === 'arm');
    const shifted = base.map((r) => ({ ...r, budgetLoss: r.loss + 0.01 }));
    const plain = fit(base, { estimator: 'akima' }).families.arm!.approach2!;
    const atBudget = fit(shifted, { estimator: 'akima' }).families.arm!.approach2!;
    expect(atBudget.budgets[0]!.loss_opt).toBeGreaterThan(plain.budgets[0]!.loss_opt + 0.009);
    const firstBudget = base[0]!.c;
    const dropped = shifted.map((r) => (r.c === firstBudget ? { ...r, budgetLoss: null } : r));
    const withoutFirst = fit(dropped, { estimator: 'akima' }).families.arm!.approach2!;
    expect(withoutFirst.budgets.map((b) => b.budget)).not.toContain(firstBudget);
  });
});
