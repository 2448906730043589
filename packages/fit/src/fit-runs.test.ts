import { describe, expect, it } from 'vitest';
import { syntheticReference, syntheticRows } from '../fixtures/fixtures.js';
import { FitError } from './errors.js';
import type { RunRow } from './fit-document.js';
import { fitRuns } from './fit-runs.js';
import { chinchillaInitGrid } from './parametric-fit.js';

const reference = syntheticReference();
const rows = syntheticRows();
// Every 9th start of Chinchilla's grid keeps these tests fast; the full grid is tested on Chinchilla's runs.
const inits = chinchillaInitGrid().filter((_, i) => i % 9 === 0);

function contains(interval: [number, number] | undefined, value: number): boolean {
  return interval !== undefined && interval[0] <= value && value <= interval[1];
}

describe('fitRuns on synthetic IsoFLOP sweeps with known laws', () => {
  const document = fitRuns(rows, { bootstrap: 200, seed: 3, inits });

  it('produces the contract keys as plain numbers, with a sibling _ci for each figure', () => {
    expect(Object.keys(document.families).sort()).toEqual(['arm', 'fast']);
    for (const family of Object.values(document.families)) {
      const a2 = family.approach2!;
      for (const key of ['a', 'b'] as const) expect(typeof a2[key]).toBe('number');
      expect(a2.a_ci).toHaveLength(2);
      for (const budget of a2.budgets) {
        for (const key of ['budget', 'n_opt', 'd_opt', 'loss_opt'] as const)
          expect(Number.isFinite(budget[key])).toBe(true);
        expect(contains(budget.n_opt_ci, budget.n_opt)).toBe(true);
      }
      const a3 = family.approach3!;
      for (const key of ['E', 'A', 'B', 'alpha', 'beta', 'a', 'b'] as const) {
        expect(Number.isFinite(a3[key])).toBe(true);
        expect(contains(a3[`${key}_ci`], a3[key])).toBe(true);
      }
    }
    expect(JSON.stringify(document)).not.toMatch(/null|NaN/);
    expect(document.bootstrap).toMatchObject({ resamples: 200, seed: 3, level: 0.95 });
  });

  it('recovers the generating laws within their 95% intervals', () => {
    for (const [name, law] of Object.entries(reference.laws)) {
      const a3 = document.families[name]!.approach3!;
      const trueA = law.beta / (law.alpha + law.beta);
      expect(contains(a3.alpha_ci, law.alpha), `${name} alpha`).toBe(true);
      expect(contains(a3.beta_ci, law.beta), `${name} beta`).toBe(true);
      expect(contains(a3.E_ci, law.E), `${name} E`).toBe(true);
      expect(contains(a3.a_ci, trueA), `${name} a (A3)`).toBe(true);
      expect(contains(document.families[name]!.approach2!.a_ci, trueA), `${name} a (A2)`).toBe(
        true,
      );
    }
  });

  it('recovers the compute ratio of 4 between the families, over the losses both reach', () => {
    const entries = document.efficiency.filter((e) => e.family === 'fast' && e.baseline === 'arm');
    expect(entries.map((e) => e.method).sort()).toEqual([
      'approach2',
      'approach2',
      'approach2',
      'approach3',
      'approach3',
      'approach3',
    ]);
    for (const entry of entries.filter((e) => e.method === 'approach3')) {
      expect(contains(entry.compute_ratio_ci, reference.compute_ratio)).toBe(true);
      expect(entry.compute_ratio).toBeGreaterThan(3);
      expect(entry.compute_ratio).toBeLessThan(5.3);
    }
    for (const entry of entries.filter((e) => e.method === 'approach2')) {
      expect(entry.compute_ratio).toBeGreaterThan(2.5);
      expect(entry.compute_ratio).toBeLessThan(6.5);
      const minima = document.families.fast!.approach2!.budgets.map((b) => b.loss_opt);
      expect(entry.at_loss).toBeGreaterThanOrEqual(Math.min(...minima) - 1e-12);
    }
  });

  it('is deterministic for a seed', () => {
    const arm = rows.filter((r) => r.family === 'arm');
    const once = fitRuns(arm, { bootstrap: 10, seed: 11, inits });
    expect(fitRuns(arm, { bootstrap: 10, seed: 11, inits })).toEqual(once);
    expect(
      fitRuns(arm, { bootstrap: 10, seed: 12, inits }).families.arm!.approach3!.alpha_ci,
    ).not.toEqual(once.families.arm!.approach3!.alpha_ci);
  });
});

describe('fitRuns on bad input', () => {
  const arm = rows.filter((r) => r.family === 'arm');

  it('fits what it can and lists a one-run family, a rejected row and a thin budget', () => {
    const bad: RunRow[] = [
      ...arm,
      { family: 'lonely', n: 1e7, d: 1e9, c: 6e16, loss: 4 },
      { family: 'arm', n: -5, d: 1e9, c: 6e16, loss: 4 },
      { family: 'arm', n: 1e8, d: 5e9, c: 5e18, loss: 3.1 },
      { family: 'arm', n: 2e8, d: 2.5e9, c: 5e18, loss: 3.2 },
    ];
    const document = fitRuns(bad, { inits });
    expect(document.families.arm!.approach2!.budgets).toHaveLength(5);
    expect(document.families.arm!.approach2!.excluded_budgets).toEqual([
      expect.objectContaining({ budget: 5e18, reason: 'too-few-sizes', sizes: 2 }),
    ]);
    expect(document.families.lonely).toBeUndefined();
    expect(document.unfitted).toEqual([
      expect.objectContaining({
        family: 'lonely',
        approach: 'approach2',
        reason: expect.stringMatching(/no IsoFLOP structure/),
      }),
      expect.objectContaining({
        family: 'lonely',
        approach: 'approach3',
        reason: expect.stringMatching(/1 runs/),
      }),
    ]);
    expect(document.rejected_rows).toEqual([
      { row: arm.length + 1, field: 'n', problem: 'must be a positive finite number, got -5' },
    ]);
    expect(document.warnings.some((w) => w.includes(`rows[${arm.length + 1}].n`))).toBe(true);
    expect(document.warnings.some((w) => w.includes('budget 5.000e+18'))).toBe(true);
  });

  it('throws a coded error naming the problem when nothing can be fitted or an option is wrong', () => {
    const error = (run: () => unknown) => {
      try {
        run();
      } catch (caught) {
        return caught as FitError;
      }
      throw new Error('expected a FitError');
    };
    expect(error(() => fitRuns([{ family: 'x', n: 0, d: 1, c: 6, loss: 2 }]))).toMatchObject({
      code: 'INVALID_ROWS',
      message: expect.stringMatching(/rows\[0\]\.n must be a positive finite number/),
    });
    expect(error(() => fitRuns([{ family: 'x', n: 1e7, d: 1e9, c: 6e16, loss: 2 }]))).toMatchObject(
      {
        code: 'NOTHING_TO_FIT',
        message: expect.stringMatching(/x \(approach3\): 1 runs/),
      },
    );
    expect(error(() => fitRuns(arm, { bootstrap: -1 }))).toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/^bootstrap:/),
    });
    expect(error(() => fitRuns(arm, { nearestK: 2 }))).toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/^nearestK:/),
    });
    expect(error(() => fitRuns(arm, { baseline: 'gpt' }))).toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/^baseline: no family 'gpt'/),
    });
  });

  it("drops each family's highest-loss runs", () => {
    const document = fitRuns(rows, { dropHighest: 3, inits });
    expect(document.families.arm).toMatchObject({ runs: 32, dropped_highest: 3 });
    expect(document.families.fast).toMatchObject({ runs: 32, dropped_highest: 3 });
  });
});
