import { describe, expect, it } from 'vitest';
import { downsampleMinMax } from './downsample-min-max.js';

/** A noisy decaying loss curve with one spike, like a run that briefly diverged. */
function curve(length: number): { step: number; loss: number }[] {
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  return Array.from({ length }, (_, step) => ({
    step,
    loss: step === 4321 ? 9.5 : 10 / Math.sqrt(step + 1) + 2 + noise(),
  }));
}

describe('downsampleMinMax', () => {
  it('returns short series unchanged', () => {
    const points = curve(10);
    expect(downsampleMinMax(points, 10, (p) => p.loss)).toEqual(points);
  });

  it('keeps at most maxPoints, in order, as a subset holding the first, last and extreme points', () => {
    const points = curve(10_000);
    const kept = downsampleMinMax(points, 200, (p) => p.loss);
    expect(kept.length).toBeLessThanOrEqual(200);
    expect(kept.length).toBeGreaterThan(150);
    expect(kept[0]).toBe(points[0]);
    expect(kept.at(-1)).toBe(points.at(-1));
    for (let i = 1; i < kept.length; i++) expect(kept[i]!.step).toBeGreaterThan(kept[i - 1]!.step);
    for (const point of kept) expect(points[point.step]).toBe(point);
    expect(kept.some((p) => p.step === 4321)).toBe(true);
    const globalMin = points.reduce((a, b) => (b.loss < a.loss ? b : a));
    expect(kept).toContain(globalMin);
  });

  it('keeps each bucket minimum and maximum, checked against a brute-force scan', () => {
    const points = curve(1_003);
    const maxPoints = 42;
    const kept = new Set(downsampleMinMax(points, maxPoints, (p) => p.loss));
    const buckets = Math.floor((maxPoints - 2) / 2);
    const inner = points.slice(1, -1);
    for (let b = 0; b < buckets; b++) {
      const slice = inner.slice(
        Math.floor((b * inner.length) / buckets),
        Math.floor(((b + 1) * inner.length) / buckets),
      );
      const sorted = [...slice].sort((x, y) => x.loss - y.loss);
      expect(kept.has(sorted[0]!)).toBe(true);
      expect(kept.has(sorted.at(-1)!)).toBe(true);
    }
  });

  it('rejects a maxPoints below two', () => {
    expect(() => downsampleMinMax(curve(5), 1, (p) => p.loss)).toThrow(/maxPoints/);
  });
});
