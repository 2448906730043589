import { describe, expect, it } from 'vitest';
import { checkGradients, planProbes, relativeError } from './gradient-check.js';

describe('gradient check helpers', () => {
  it('plans a repeatable, sorted sample without replacement', () => {
    const a = planProbes(1000, 20, 5);
    expect(a).toEqual(planProbes(1000, 20, 5));
    expect(new Set(a).size).toBe(20);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(planProbes(4, 10, 1)).toEqual([0, 1, 2, 3]);
  });

  it('measures relative error by norms, absolute below the floor', () => {
    expect(relativeError([1, 2], [1, 2])).toBe(0);
    expect(relativeError([3, 4], [3, 4.5])).toBeCloseTo(0.5 / Math.hypot(3, 4.5), 12);
    expect(relativeError([1e-12], [0], 1e-8)).toBeCloseTo(1e-4, 12);
  });

  it('finds a wrong gradient and accepts a right one (f = Σ x³)', async () => {
    const values = Float64Array.from([0.5, -1.2, 2, 0.3]);
    const loss = async (): Promise<number> => values.reduce((s, x) => s + x ** 3, 0);
    const right = Array.from(values, (x) => 3 * x * x);
    const wrong = right.map((g, i) => (i === 2 ? g * 1.01 : g));
    const ok = await checkGradients([{ name: 'x', values, analytic: right }], loss);
    const bad = await checkGradients([{ name: 'x', values, analytic: wrong }], loss);
    expect(ok.worstRelativeError).toBeLessThan(1e-8);
    expect(bad.worstRelativeError).toBeGreaterThan(1e-3);
    expect(Array.from(values)).toEqual([0.5, -1.2, 2, 0.3]);
  });
});
