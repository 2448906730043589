import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSweepSpec, planSweep, type Plan } from '@isoflop/planner';

function planOf(file: string): Plan {
  return planSweep(
    parseSweepSpec(readFileSync(new URL(`../../experiments/${file}`, import.meta.url), 'utf8')),
  );
}

describe('experiments/paper-owt.yaml', () => {
  const plan = planOf('paper-owt.yaml');

  it("plans the paper's budgets for all three families", () => {
    for (const family of ['arm', 'mdm', 'mdm-prime-v2'] as const) {
      const budgets = new Set(
        plan.runs.filter((run) => run.family === family).map((run) => run.budgetFlops),
      );
      expect([...budgets]).toEqual([3e18, 6e18, 1e19, 3e19, 6e19, 1e20, 3e20]);
    }
  });

  it("uses the paper's grid, N = 12·d²·layers and D = C/(6N) at 256 x 2048 tokens per step", () => {
    const labels = new Set(plan.runs.map((run) => Math.round(run.params / 1e6)));
    // Every size of paper-notes 7.2 appears at some budget (14M only at budgets the D/N window allows).
    for (const label of [
      25, 36, 49, 64, 79, 106, 154, 201, 252, 315, 354, 413, 571, 771, 1107, 1529, 2359, 3426,
    ]) {
      expect(labels).toContain(label);
    }
    for (const run of plan.runs) {
      expect(run.paramConvention).toBe('paper');
      expect(run.params).toBe(12 * run.shape.dModel ** 2 * run.shape.nLayers);
      expect(run.shape.seqLen).toBe(2048);
      expect(run.batchSize).toBe(run.shape.dModel >= 2304 ? 512 : 256);
      expect(Math.abs(run.tokens - run.budgetFlops / (6 * run.params))).toBeLessThanOrEqual(
        (run.batchSize * 2048) / 2,
      );
      expect(Math.abs(run.achievedFlops / run.budgetFlops - 1)).toBeLessThan(0.01);
      expect(run.shape.vocabSize).toBe(50257);
      expect(run.optimizer).toEqual({
        lr: 2e-4,
        minLr: 2e-5,
        warmupSteps: 1000,
        beta1: 0.9,
        beta2: 0.95,
        eps: 1e-8,
        weightDecay: 0.1,
        gradClip: 1,
      });
    }
    expect(plan.runs.find((run) => run.family === 'mdm-prime-v2')?.prime?.length).toBe(16);
  });

  it('samples 7-11 sizes per budget and family, like the paper, and says why the rest are dropped', () => {
    const counts = new Map<string, number>();
    for (const run of plan.runs)
      counts.set(
        `${run.family} ${run.budgetFlops}`,
        (counts.get(`${run.family} ${run.budgetFlops}`) ?? 0) + 1,
      );
    expect(counts.size).toBe(21);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThanOrEqual(7);
      expect(count).toBeLessThanOrEqual(11);
    }
    expect(plan.dropped.length).toBeGreaterThan(0);
    for (const drop of plan.dropped)
      expect(drop.reason).toMatch(/^D\/N = .* is outside sizes\.tokensPerParam \[3, 1000\]$/);
  });
});

describe('experiments/quickstart.yaml', () => {
  const plan = planOf('quickstart.yaml');

  it('gives each of 4 variants at least 3 budgets of its own, in CPU-sized runs, planned adaptively', () => {
    expect(plan.runs).toHaveLength(59);
    const variants = ['arm', 'mdm', 'mdm-prime-v2', 'prime-k8'];
    expect(new Set(plan.runs.map((run) => run.variant))).toEqual(new Set(variants));
    for (const variant of variants) {
      const budgets = new Set(
        plan.runs.filter((r) => r.variant === variant).map((r) => r.budgetFlops),
      );
      expect(budgets.size).toBeGreaterThanOrEqual(3);
    }
    // Each variant's sizes are filtered by its own D/N window, so nothing else is dropped.
    expect(plan.dropped.length).toBeGreaterThan(0);
    for (const drop of plan.dropped) {
      expect(drop.reason).toMatch(
        drop.variant === 'arm'
          ? /^D\/N = .* is outside sizes\.tokensPerParam \[2, 30000\]$/
          : /^D\/N = .* is outside sizes\.tokensPerParam \[20, 30000\]$/,
      );
    }
    expect(plan.warnings).toEqual([]);
    for (const run of plan.runs) {
      expect(run.device).toBe('cpu');
      expect(run.shape.dModel).toBeLessThanOrEqual(128);
      expect(run.shape.nLayers).toBeLessThanOrEqual(3);
      expect(run.budgetFlops).toBeLessThanOrEqual(1e12);
    }
    // The README's arithmetic: about 568,000 steps before the adaptive step adds any.
    expect(plan.runs.reduce((sum, run) => sum + run.steps, 0)).toBe(568074);
  });
});
