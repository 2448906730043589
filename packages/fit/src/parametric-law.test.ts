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
      let bestN = 0;
      let bestLoss = Number.POSITIVE_INFINITY;
      for (let logN = 5; logN <= 14; logN += 1e-4) {
        const n = 10 ** logN;
        const loss = predictLoss(law, n, compute / (6 * n));
        if (loss < bestLoss) [bestN, bestLoss] = [n, loss];
      }
      expect(Math.log10(optimalParams(law, compute))).toBeCloseTo(Math.log10(bestN), 3);
      expect((6 * optimalParams(law, compute) * optimalTokens(law, compute)) / compute).toBeCloseTo(
        1,
        12,
      );
      expect(frontierLoss(law, compute)).toBeCloseTo(bestLoss, 7);
    }
    const { a, b } = computeOptimalAllocation(law);
    expect(a + b).toBeCloseTo(1, 12);
  });

  it('frontierCompute inverts frontierLoss, and is NaN at or below E', () => {
    expect(frontierCompute(law, frontierLoss(law, 3e20)) / 3e20).toBeCloseTo(1, 10);
    expect(frontierCompute(law, law.E)).toBeNaN();
  });
});
