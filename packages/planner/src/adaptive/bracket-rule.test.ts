import { describe, expect, it } from 'vitest';
import {
  observe,
  optimalParams,
  runStudy,
  surfaceLoss,
  type Surface,
} from '../../bench/support/synthetic-study.js';
import { validateSweepSpec } from '../parse-sweep-spec.js';
import { planSweep } from '../plan-sweep.js';
import type { SweepSpecInput } from '../sweep-spec.js';
import { decideAdaptiveStep } from './decide-adaptive-step.js';
import { unbracketedSides } from './bracket-rule.js';
import { observedGroups } from './observed-groups.js';

// Chinchilla's fitted law: N_opt ≈ 0.98·(C/6)^0.5, so at C = 1e10 the optimum is N ≈ 40k.
const CHINCHILLA: Surface = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };

/** Quickstart-like: head width 18, V = 512 (Prime base 2: l = 9), sizes all above the optimum. */
function study(overrides: Partial<SweepSpecInput> = {}) {
  return validateSweepSpec({
    name: 'bracket',
    families: { arm: {} },
    budgets: [1e10, 3e10],
    sizes: {
      shapes: [
        { dModel: 72, nLayers: 2, nHeads: 4 },
        { dModel: 90, nLayers: 2, nHeads: 5 },
        { dModel: 108, nLayers: 2, nHeads: 6 },
      ],
    },
    seqLen: 64,
    batchSize: 8,
    data: { corpus: { kind: 'sotu' }, tokenizer: { kind: 'bpe', vocabSize: 512 } },
    eval: { tokens: 4096, every: 50 },
    adaptive: {},
    ...overrides,
  });
}

describe('the bracket rule', () => {
  it('brackets a grid whose minima lie below its smallest size, within a bounded number of rounds', () => {
    const spec = study();
    expect(optimalParams(CHINCHILLA, 1e10)).toBeLessThan(124416);
    const outcome = runStudy(spec, () => CHINCHILLA);
    expect(outcome.settled).toBe(true);
    // From N = 124k down to the optimum near 40k-70k: a few ladder steps of the grid's spacing.
    expect(outcome.rounds).toBeLessThanOrEqual(6);
    const groups = observedGroups(outcome.planned, outcome.results);
    for (const group of groups.values()) {
      expect(unbracketedSides(group)).toEqual([]);
      const lowest = group.sizes.reduce((p, q) => (q.loss < p.loss ? q : p));
      expect(group.sizes[0]!.params).toBeLessThan(lowest.params);
      expect(group.sizes[group.sizes.length - 1]!.params).toBeGreaterThan(lowest.params);
    }
    const reasons = outcome.steps.flatMap((s) => s.add.map((a) => a.reason));
    expect(reasons.every((r) => r.rule === 'bracket' && r.code === 'min-at-smallest-size')).toBe(
      true,
    );
    // Every added shape obeys the shape rules: heads 18 wide (even), whole heads.
    for (const run of outcome.planned) {
      expect(run.shape.dModel % 18).toBe(0);
      expect(run.shape.dModel / run.shape.nHeads).toBe(18);
    }
  });

  it('adds nothing to a bracketed grid and calls it settled', () => {
    const spec = study({ budgets: [3e10] });
    const planned = planSweep(spec).runs;
    // A surface whose optimum sits at the middle size (90x2 layers, N = 194,400) at C = 3e10.
    const results = planned.map((run) => ({
      runId: run.id,
      variant: run.variant,
      budgetFlops: run.budgetFlops,
      params: run.params,
      tokens: run.tokens,
      loss: 3 + (Math.log10(run.params) - Math.log10(194_400)) ** 2,
      seed: run.seed,
    }));
    expect(decideAdaptiveStep({ spec, planned, results })).toEqual({
      add: [],
      limits: [],
      settled: true,
    });
  });

  it('does not judge a budget while any of its runs is pending', () => {
    const spec = study({ budgets: [1e10] });
    const planned = planSweep(spec).runs;
    const results = planned.slice(0, 2).map((run) => ({
      runId: run.id,
      variant: run.variant,
      budgetFlops: run.budgetFlops,
      params: run.params,
      tokens: run.tokens,
      loss: surfaceLoss(CHINCHILLA, run.params, run.tokens),
      seed: run.seed,
    }));
    expect(decideAdaptiveStep({ spec, planned, results })).toEqual({
      add: [],
      limits: [],
      settled: false,
    });
  });

  it('stops at the smallest legal shape and names the limit', () => {
    // Optimum far below anything legal: N_opt ≈ 40k at 1e10, but the smallest shape is 18 wide, 1 layer.
    const spec = study({
      budgets: [1e10],
      sizes: {
        shapes: [
          { dModel: 36, nLayers: 1, nHeads: 2 },
          { dModel: 54, nLayers: 1, nHeads: 3 },
        ],
      },
    });
    const tiny: Surface = { ...CHINCHILLA, A: 1, B: 1e6 };
    const outcome = runStudy(spec, () => tiny);
    expect(outcome.settled).toBe(true);
    const last = outcome.steps[outcome.steps.length - 1]!;
    expect(last.limits).toEqual([
      expect.objectContaining({ rule: 'bracket', code: 'smallest-legal-shape', variant: 'arm' }),
    ]);
    const smallest = Math.min(...outcome.planned.map((r) => r.params));
    expect(smallest).toBe(12 * 18 * 18);
  });

  it('names a flat curve and adds nothing to it, but chases the same edge when the noise is small', () => {
    // A model at the unigram level at every size: the lowest loss at the smallest size by 0.01 nats.
    const spec = study({ budgets: [1e10] });
    const planned = planSweep(spec).runs;
    const observed = (stdErr: number) =>
      planned.map((run, i) => ({
        runId: run.id,
        variant: run.variant,
        budgetFlops: run.budgetFlops,
        params: run.params,
        tokens: run.tokens,
        loss: [5.3, 5.31, 5.305][i]!,
        lossStdErr: stdErr,
        seed: run.seed,
      }));
    const noisy = decideAdaptiveStep({ spec, planned, results: observed(0.01) });
    expect(noisy.add).toEqual([]);
    expect(noisy.settled).toBe(true);
    expect(noisy.limits).toEqual([
      expect.objectContaining({ rule: 'bracket', code: 'flat-curve', variant: 'arm' }),
    ]);
    const clean = decideAdaptiveStep({ spec, planned, results: observed(0.001) });
    expect(clean.add.map((a) => a.reason.code)).toEqual(['min-at-smallest-size']);
  });

  it("holds an added size to its own variant's cat-share length only", () => {
    // V = 512, base 4: l = 5, so Prime's widths are multiples of lcm(6, 5) = 30; ARM's stay multiples of 6.
    const spec = study({
      families: {
        arm: {},
        'prime-b4': {
          family: 'mdm-prime-v2',
          base: 4,
          sizes: { shapes: [{ dModel: 60, nLayers: 1, nHeads: 10 }] },
        },
      },
      budgets: [1e10],
      sizes: {
        shapes: [
          { dModel: 24, nLayers: 1, nHeads: 4 },
          { dModel: 36, nLayers: 1, nHeads: 6 },
          { dModel: 48, nLayers: 1, nHeads: 8 },
        ],
      },
    });
    // Optimum far below the grid: ARM's lowest loss at its smallest size, d24.
    const tiny: Surface = { ...CHINCHILLA, A: 1, B: 1e6 };
    const planned = planSweep(spec).runs.filter((run) => run.variant === 'arm');
    const results = planned.map((run) => observe(run, tiny, 0, 0));
    const step = decideAdaptiveStep({ spec, planned, results });
    expect(step.add.map((a) => [a.run.shape.dModel, a.reason.code])).toEqual([
      [18, 'min-at-smallest-size'],
    ]);
  });

  it('respects adaptive.sizes and maxExtraRuns, naming each', () => {
    const bounded = runStudy(study({ adaptive: { sizes: { min: 100_000 } } }), () => CHINCHILLA);
    expect(bounded.planned.every((r) => r.params >= 100_000)).toBe(true);
    expect(bounded.steps.at(-1)!.limits.map((l) => l.code)).toContain('size-bound');

    const cappedSpec = study({ adaptive: { maxExtraRuns: 1 } });
    const capped = runStudy(cappedSpec, () => CHINCHILLA);
    expect(capped.planned.length - planSweep(cappedSpec).runs.length).toBe(1);
    expect(capped.steps.at(-1)!.limits.map((l) => l.code)).toContain('max-extra-runs');
  });

  it('gives the same runs, with the same ids, for the same inputs', () => {
    const spec = study();
    const planned = planSweep(spec).runs;
    const results = planned.map((run) => ({
      runId: run.id,
      variant: run.variant,
      budgetFlops: run.budgetFlops,
      params: run.params,
      tokens: run.tokens,
      loss: surfaceLoss(CHINCHILLA, run.params, run.tokens),
      seed: run.seed,
    }));
    const first = decideAdaptiveStep({ spec, planned, results });
    const second = decideAdaptiveStep({ spec, planned: [...planned], results: [...results] });
    expect(first.add.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
    // Once planned, the same run is never added again.
    const again = decideAdaptiveStep({
      spec,
      planned: [...planned, ...first.add.map((a) => a.run)],
      results,
    });
    expect(again.add).toEqual([]);
    expect(again.settled).toBe(false);
  });
});
