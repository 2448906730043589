import { nameKey, streamRng } from '@isoflop/fit';
import { describe, expect, it } from 'vitest';
import { observe, runStudy, type Surface } from '../../bench/support/synthetic-study.js';
import { buildRun } from '../internal/build-run.js';
import { contextOf } from '../internal/sweep-context.js';
import { validateSweepSpec } from '../parse-sweep-spec.js';
import { planSweep } from '../plan-sweep.js';
import { narrowTargetWidth } from './narrow-rule.js';
import { ladderRule, nextSize } from './size-ladder.js';

// Laptop-scale surface with a = beta/(alpha+beta) = 0.5; the grid brackets every minimum from the start.
const SURFACE: Surface = { E: 2, A: 20, B: 20, alpha: 0.3, beta: 0.3 };
const NOISE = 0.02;
const EXTRA_RUNS = 8;
const STUDIES = 8;

const spec = validateSweepSpec({
  name: 'narrow',
  families: { arm: {} },
  budgets: [1e11, 3e11, 1e12],
  sizes: {
    shapes: [
      { dModel: 36, nLayers: 2, nHeads: 2 },
      { dModel: 54, nLayers: 2, nHeads: 3 },
      { dModel: 72, nLayers: 3, nHeads: 4 },
      { dModel: 108, nLayers: 3, nHeads: 6 },
      { dModel: 144, nLayers: 4, nHeads: 8 },
    ],
  },
  seqLen: 64,
  batchSize: 8,
  data: { corpus: { kind: 'sotu' }, tokenizer: { kind: 'bpe', vocabSize: 512 } },
  eval: { tokens: 4096, every: 50 },
  adaptive: {
    overlap: { enabled: false },
    narrow: { target: { quantity: 'exponent', variant: 'arm' }, width: 1e-6, resamples: 100 },
    maxExtraRuns: EXTRA_RUNS,
  },
});

/** The same allowance spent on random sizes: a random budget, a random legal size one step around the grid. */
function randomStudy(noiseSeed: number) {
  const ctx = contextOf(spec);
  const variant = ctx.variants[0]!;
  const rule = ladderRule(ctx, variant);
  const planned = planSweep(spec).runs;
  const results = planned.map((run) => observe(run, SURFACE, NOISE, noiseSeed));
  const rng = streamRng(noiseSeed, nameKey('random-sizes'));
  while (results.length < planned.length + EXTRA_RUNS) {
    const budgetFlops = ctx.budgets[rng.nextIndex(ctx.budgets.length)]!;
    const target = 10 ** (4 + 2.5 * rng.nextFloat()); // N log-uniform in [1e4, 3e6]
    const size = nextSize(ctx, rule, 0, target, 'up');
    if (!size.ok) continue;
    const built = buildRun(ctx, variant, budgetFlops, { ...size.size, batchSize: 8 }, 0);
    if (!built.ok) continue;
    results.push(
      observe({ ...built.run, id: `${built.run.id}-${results.length}` }, SURFACE, NOISE, noiseSeed),
    );
  }
  return results;
}

describe('the narrow rule', () => {
  it('adds runs until the allowance is spent, naming the limit', () => {
    const outcome = runStudy(spec, () => SURFACE, { noise: NOISE, noiseSeed: 1 });
    const added = outcome.steps.flatMap((s) => s.add);
    expect(added).toHaveLength(EXTRA_RUNS);
    expect(added.every((a) => a.reason.rule === 'narrow')).toBe(true);
    expect(outcome.steps.at(-1)!.limits.map((l) => l.code)).toEqual(['max-extra-runs']);
  });

  it('stops adding once the interval is as narrow as asked', () => {
    const loose = validateSweepSpec({
      ...spec,
      adaptive: {
        ...spec.adaptive,
        narrow: { target: { quantity: 'exponent', variant: 'arm' }, width: 10 },
      },
    });
    const outcome = runStudy(loose, () => SURFACE, { noise: NOISE, noiseSeed: 1 });
    expect(outcome.rounds).toBe(0);
    expect(outcome.settled).toBe(true);
  });

  it('narrows the interval of the exponent more than the same number of random sizes, on average', () => {
    const ctx = contextOf(spec);
    let narrowed = 0;
    let random = 0;
    for (let study = 0; study < STUDIES; study++) {
      const outcome = runStudy(spec, () => SURFACE, { noise: NOISE, noiseSeed: 100 + study });
      narrowed += narrowTargetWidth(ctx, outcome.results) / STUDIES;
      random += narrowTargetWidth(ctx, randomStudy(100 + study)) / STUDIES;
    }
    // Measured (8 studies, 8 extra runs, noise 0.02 nats): see packages/planner/README.md.
    expect(narrowed).toBeLessThan(random * 0.9);
    console.info(
      `narrow-rule: mean 95% width of a ${narrowed.toFixed(4)} vs random sizes ${random.toFixed(4)} (ratio ${(narrowed / random).toFixed(2)})`,
    );
  });
});
