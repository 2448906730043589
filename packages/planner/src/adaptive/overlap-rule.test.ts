import { describe, expect, it } from 'vitest';
import { runStudy, type Surface } from '../../bench/support/synthetic-study.js';
import { contextOf } from '../internal/sweep-context.js';
import { validateSweepSpec } from '../parse-sweep-spec.js';
import type { SweepSpecInput } from '../sweep-spec.js';
import { observedGroups } from './observed-groups.js';
import { frontiers } from './overlap-rule.js';

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
