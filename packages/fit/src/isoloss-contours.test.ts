import { describe, expect, it } from 'vitest';
import { isolossContours } from './isoloss-contours.js';
import { predictLoss } from './parametric-law.js';

describe('isolossContours', () => {
  it('returns points on which the law takes the contour level, and skips levels at or below E', () => {
    const law = { E: 1.8, A: 480, B: 2100, alpha: 0.35, beta: 0.37 };
    const contours = isolossContours(law, {
      levels: [1.7, 1.8, 2.5, 3.2],
      nRange: [1e6, 1e11],
      points: 40,
    });
    expect(contours.map((c) => c.loss)).toEqual([2.5, 3.2]);
    for (const contour of contours) {
      expect(contour.points.length).toBeGreaterThan(10);
      for (const p of contour.points) {
        expect(predictLoss(law, p.n, p.d)).toBeCloseTo(contour.loss, 10);
        expect(p.c / (6 * p.n * p.d)).toBeCloseTo(1, 12);
      }
    }
  });
});
