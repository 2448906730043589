import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { minimizeLbfgs, type ObjectiveFunction } from './lbfgs.js';

const scipy = JSON.parse(
  readFileSync(new URL('../fixtures/chinchilla-scipy.json', import.meta.url), 'utf8'),
) as {
  rosenbrock: { start: number[]; x: number[]; fun: number };
};

/** The n-D Rosenbrock function of scipy.optimize.rosen, with its gradient. */
const rosenbrock: ObjectiveFunction = (x, gradient) => {
  let value = 0;
  gradient.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const xi = x[i]!;
    const next = x[i + 1]!;
    const valley = next - xi * xi;
    value += 100 * valley * valley + (1 - xi) * (1 - xi);
    gradient[i] = gradient[i]! - 400 * xi * valley - 2 * (1 - xi);
    gradient[i + 1] = gradient[i + 1]! + 200 * valley;
  }
  return value;
};

describe('minimizeLbfgs', () => {
  it('reaches the 6-D Rosenbrock minimum that scipy L-BFGS-B finds from the same start', () => {
    const result = minimizeLbfgs(rosenbrock, scipy.rosenbrock.start);
    expect(result.stop).not.toBe('max-iterations');
    for (let i = 0; i < result.x.length; i++) {
      expect(result.x[i]).toBeCloseTo(scipy.rosenbrock.x[i]!, 6);
      expect(result.x[i]).toBeCloseTo(1, 6);
    }
    expect(result.value).toBeLessThan(1e-12);
  });

  it('solves an ill-conditioned quadratic exactly and reports a gradient stop', () => {
    // f = ½ Σ k_i (x_i − i)², condition number 1e6.
    const scales = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];
    const quadratic: ObjectiveFunction = (x, gradient) => {
      let value = 0;
      scales.forEach((k, i) => {
        const offset = x[i]! - i;
        value += 0.5 * k * offset * offset;
        gradient[i] = k * offset;
      });
      return value;
    };
    const result = minimizeLbfgs(quadratic, new Float64Array(scales.length), {
      gradientTolerance: 1e-8,
      relativeTolerance: 0,
    });
    expect(result.stop).toBe('gradient');
    result.x.forEach((value, i) => expect(value).toBeCloseTo(i, 8));
  });

  it('backs off where the objective is undefined instead of accepting a NaN step', () => {
    // −log x + x has its minimum at 1 and is undefined for x ≤ 0; a unit first step from 5 lands at x < 0.
    const barrier: ObjectiveFunction = (x, gradient) => {
      const v = x[0]!;
      gradient[0] = -1 / v + 1;
      return v > 0 ? -Math.log(v) + v : Number.NaN;
    };
    const result = minimizeLbfgs(barrier, [5]);
    expect(result.x[0]).toBeCloseTo(1, 8);
  });
});
