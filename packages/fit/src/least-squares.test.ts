import { describe, expect, it } from 'vitest';
import { fitLine, fitParabola } from './least-squares.js';

describe('least squares', () => {
  it('recovers an exact quadratic in log10 N, where raw powers are nearly collinear', () => {
    const x = [7.1, 7.4, 7.9, 8.3, 8.8, 9.2];
    const y = x.map((v) => 0.21 * v * v - 3.4 * v + 16.5);
    const parabola = fitParabola(x, y);
    expect(parabola.c2).toBeCloseTo(0.21, 9);
    expect(parabola.c1).toBeCloseTo(-3.4, 8);
    expect(parabola.c0).toBeCloseTo(16.5, 7);
  });

  it('treats integer weights as repeated points', () => {
    const x = [1, 2, 3, 4];
    const y = [2.1, 2.9, 4.2, 4.8];
    const weighted = fitLine(x, y, [1, 3, 1, 2]);
    const repeated = fitLine([1, 2, 2, 2, 3, 4, 4], [2.1, 2.9, 2.9, 2.9, 4.2, 4.8, 4.8]);
    expect(weighted.slope).toBeCloseTo(repeated.slope, 12);
    expect(weighted.intercept).toBeCloseTo(repeated.intercept, 12);
  });

  it('returns NaN for degenerate designs rather than a made-up fit', () => {
    expect(fitLine([2, 2], [1, 3]).slope).toBeNaN();
    expect(fitParabola([1, 1, 2], [1, 2, 3]).c2).toBeNaN();
  });
});
