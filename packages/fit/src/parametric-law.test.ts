import { describe, expect, it } from 'vitest';
import {
  computeOptimalAllocation,
  frontierCompute,
  frontierLoss,
  optimalParams,
  optimalTokens,
  predictLoss,
} from './parametric-law.js';

const law = { E: 1.817, A: 477.8, B: 2143.4, alpha: 0.3473, beta: 0.3672 };

describe('parametric law closed forms', () => {
  it('N_opt(C) is the minimiser of L(N, C/(6N)) found by brute force over N', () => {
    for (const compute of [1e18, 1e21, 1e24]) {
      const lossAt = (logN: number) => predictLoss(law, 10 ** logN, compute / (6 * 10 ** logN));
      // A coarse scan over log10 N, then a fine one around its best point.
      const scan = (from: number, to: number, step: number) => {
        let best = from;
        for (let logN = from; logN <= to; logN += step)
          if (lossAt(logN) < lossAt(best)) best = logN;
        return best;
      };
      const coarse = scan(5, 14, 1e-3);
      const bestLogN = scan(coarse - 2e-3, coarse + 2e-3, 1e-6);
      const bestLoss = lossAt(bestLogN);
      expect(Math.log10(optimalParams(law, compute))).toBeCloseTo(bestLogN, 5);
      expect((6 * optimalParams(law, compute) * optimalTokens(law, compute)) / compute).toBeCloseTo(
        1,
        12,
      );
      expect(frontierLoss(law, compute)).toBeCloseTo(bestLoss, 10);
    }
    const { a, b } = computeOptimalAllocation(law);
    expect(a + b).toBeCloseTo(1, 12);
  });

  it('frontierCompute inverts frontierLoss, and is NaN at or below E', () => {
    expect(frontierCompute(law, frontierLoss(law, 3e20)) / 3e20).toBeCloseTo(1, 10);
    expect(frontierCompute(law, law.E)).toBeNaN();
  });
});
