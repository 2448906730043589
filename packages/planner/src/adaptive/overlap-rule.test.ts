import { describe, expect, it } from 'vitest';
import { runStudy, type Surface } from '../../bench/support/synthetic-study.js';
import { contextOf } from '../internal/sweep-context.js';
import { validateSweepSpec } from '../parse-sweep-spec.js';
import type { SweepSpecInput } from '../sweep-spec.js';
import { observedGroups } from './observed-groups.js';
import { frontiers } from './overlap-rule.js';
import { decideAdaptiveStep } from './decide-adaptive-step.js';
import { planSweep } from '../plan-sweep.js';

// Laptop-scale surfaces (losses near the quickstart's): the diffusion variant is 0.5 nats worse
// everywhere, so at the planned budgets its minima (3.5-3.7) lie above every ARM minimum (3.0-3.2), as
// ARM 2.6-3.7 and diffusion 3.9-5.3 did in the quickstart.
const ARM: Surface = { E: 2, A: 20, B: 20, alpha: 0.3, beta: 0.3 };
const MDM: Surface = { ...ARM, E: 2.5 };

function study(adaptive: SweepSpecInput['adaptive']) {
  return validateSweepSpec({
    name: 'overlap',
    families: { arm: {}, mdm: {} },
    budgets: [1e11, 3e11],
    sizes: {
      shapes: [
        { dModel: 36, nLayers: 2, nHeads: 2 },
        { dModel: 54, nLayers: 2, nHeads: 3 },
        { dModel: 72, nLayers: 2, nHeads: 4 },
        { dModel: 90, nLayers: 2, nHeads: 5 },
      ],
    },
    seqLen: 64,
    batchSize: 8,
    data: { corpus: { kind: 'sotu' }, tokenizer: { kind: 'bpe', vocabSize: 512 } },
    eval: { tokens: 4096, every: 50 },
    adaptive,
  });
}

describe('the overlap rule', () => {
  it('adds budgets below the lower-loss variant until the two share the stated loss range', () => {
    const spec = study({ overlap: { minWidth: 0.2 }, maxExtraRuns: 200 });
    const outcome = runStudy(spec, (variant) => (variant === 'arm' ? ARM : MDM));
    expect(outcome.settled).toBe(true);
    const fronts = frontiers(contextOf(spec), [
      ...observedGroups(outcome.planned, outcome.results).values(),
    ]);
    const arm = fronts.get('arm')!;
    const mdm = fronts.get('mdm')!;
    expect(Math.min(arm.high, mdm.high) - Math.max(arm.low, mdm.low)).toBeGreaterThanOrEqual(0.2);
    const overlapRuns = outcome.steps
      .flatMap((s) => s.add)
      .filter((a) => a.reason.rule === 'overlap');
    expect(overlapRuns.length).toBeGreaterThan(0);
    // Cheap side first: the first budget added is ARM's, below the planned ones.
    const first = outcome.steps.find((s) => s.add.some((a) => a.reason.rule === 'overlap'))!;
    for (const { run, reason } of first.add) {
      expect(run.variant).toBe('arm');
      expect(run.budgetFlops).toBeLessThan(1e11);
      expect(reason.code).toBe('losses-do-not-overlap-down');
    }
  });

  it('leaves a pair alone when a variant is flat at a budget, and names the limit', () => {
    const spec = study({ overlap: { minWidth: 0.2 } });
    const planned = planSweep(spec).runs;
    // Interior minima everywhere but MDM at 3e11, which is flat in N within its standard errors.
    const losses: Record<string, number[]> = {
      'arm|100000000000': [3.1, 3.0, 3.05, 3.2],
      'arm|300000000000': [3.0, 2.9, 2.95, 3.1],
      'mdm|100000000000': [4.0, 3.9, 3.95, 4.1],
      'mdm|300000000000': [5.3, 5.31, 5.305, 5.3],
    };
    const results = planned.map((run) => {
      const group = planned.filter(
        (r) => r.variant === run.variant && r.budgetFlops === run.budgetFlops,
      );
      const flat = run.variant === 'mdm' && run.budgetFlops === 3e11;
      return {
        runId: run.id,
        variant: run.variant,
        budgetFlops: run.budgetFlops,
        params: run.params,
        tokens: run.tokens,
        loss: losses[`${run.variant}|${run.budgetFlops}`]![group.indexOf(run)]!,
        lossStdErr: flat ? 0.01 : 0.001,
        seed: run.seed,
      };
    });
    const step = decideAdaptiveStep({ spec, planned, results });
    expect(step.add).toEqual([]);
    expect(step.limits.map((l) => [l.rule, l.code, l.variant])).toEqual([
      ['bracket', 'flat-curve', 'mdm'],
      ['overlap', 'flat-curve', 'mdm'],
    ]);
    // Without the flat budget the same pair gets a cheap ARM budget below its range.
    const bracketed = results.filter((r) => !(r.variant === 'mdm' && r.budgetFlops === 3e11));
    const kept = planned.filter((r) => !(r.variant === 'mdm' && r.budgetFlops === 3e11));
    const open = decideAdaptiveStep({ spec, planned: kept, results: bracketed });
    expect(open.add.map((a) => [a.run.variant, a.reason.code])).toContainEqual([
      'arm',
      'losses-do-not-overlap-down',
    ]);
  });

  it('goes upwards for the other variant within the compute cap when the cheap side cannot train, and names the cap', () => {
    // A batch so large that no budget below 1e11 trains the sizes: only upwards is left, capped at 1e12.
    const spec = validateSweepSpec({
      ...study({ overlap: { minWidth: 0.2 }, maxExtraRuns: 200, maxBudgetFlops: 1e12 }),
      batchSize: 64,
    });
    const outcome = runStudy(spec, (variant) => (variant === 'arm' ? ARM : MDM));
    const upwards = outcome.steps
      .flatMap((s) => s.add)
      .filter((a) => a.reason.code === 'losses-do-not-overlap-up');
    expect(upwards.length).toBeGreaterThan(0);
    for (const { run } of upwards) {
      expect(run.variant).toBe('mdm');
      expect(run.budgetFlops).toBeGreaterThan(3e11);
      expect(run.budgetFlops).toBeLessThanOrEqual(1e12);
    }
    // Either the upward budgets closed the gap, or the cap stopped them and the step says so.
    const fronts = frontiers(contextOf(spec), [
      ...observedGroups(outcome.planned, outcome.results).values(),
    ]);
    const arm = fronts.get('arm')!;
    const mdm = fronts.get('mdm')!;
    const width = Math.min(arm.high, mdm.high) - Math.max(arm.low, mdm.low);
    const limits = outcome.steps.at(-1)!.limits.map((l) => l.code);
    expect(width >= 0.2 || limits.includes('compute-cap')).toBe(true);
    expect(outcome.planned.every((run) => run.budgetFlops <= 1e12)).toBe(true);
  });
});
