import { describe, expect, it } from 'vitest';
import { akimaReference } from '../fixtures/fixtures.js';
import { lossAtCompute } from './loss-at-compute.js';

describe("loss at exactly C against analysis.py's fetch_flop (fixtures/akima_isoflop.py)", () => {
  const { flops, loss, targets, losses } = akimaReference().loss_at_compute;
  // Handed over out of order: the curve is sorted by compute before use.
  const curve = flops.map((f, i) => ({ flops: f, loss: loss[i]! })).reverse();

  targets.forEach((target, i) => {
    const expected = losses[i]!;
    it(`${target.toExponential(2)} FLOPs: ${expected === null ? 'no evaluation within 10%' : expected.toFixed(6)}`, () => {
      const mine = lossAtCompute(curve, target);
      if (expected === null) expect(mine).toBeUndefined();
      else expect(mine).toBeCloseTo(expected, 12);
    });
  });

  it('has no loss for a curve without a usable point', () => {
    expect(lossAtCompute([{ flops: 0, loss: 3 }], 1e17)).toBeUndefined();
  });
});
