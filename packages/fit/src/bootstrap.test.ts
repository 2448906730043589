import { describe, expect, it } from 'vitest';
import { percentileInterval, resampleCounts, standardError, streamRng } from './bootstrap.js';
import { BootstrapRng } from './bootstrap-rng.js';

describe('bootstrap helpers', () => {
  it('draws the same resample for the same keys and different ones for different keys', () => {
    const first = resampleCounts(streamRng(7, 0, 12, 3), 50);
    expect(resampleCounts(streamRng(7, 0, 12, 3), 50)).toEqual(first);
    expect(resampleCounts(streamRng(7, 0, 13, 3), 50)).not.toEqual(first);
    expect(first.reduce((total, count) => total + count, 0)).toBe(50);
  });

  it('draws indices uniformly', () => {
    const rng = new BootstrapRng(1);
    const hits = new Uint32Array(10);
    for (let i = 0; i < 100_000; i++) hits[rng.nextIndex(10)]! += 1;
    // Chi-square with 9 degrees of freedom; 27.9 is its 99.9% quantile.
    const chi2 = Array.from(hits).reduce((total, h) => total + (h - 10_000) ** 2 / 10_000, 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it("computes numpy's linear-interpolation percentiles, ignoring non-finite values", () => {
    // numpy.percentile(np.arange(1, 11), [2.5, 97.5]) = [1.225, 9.775]
    const values = [
      ...Array.from({ length: 10 }, (_, i) => 10 - i),
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ];
    const [lo, hi] = percentileInterval(values)!;
    expect(lo).toBeCloseTo(1.225, 12);
    expect(hi).toBeCloseTo(9.775, 12);
    expect(percentileInterval([1, Number.NaN])).toBeUndefined();
    // numpy.std(np.arange(1, 11), ddof=1)
    expect(standardError(Array.from({ length: 10 }, (_, i) => i + 1))).toBeCloseTo(
      3.0276503540974917,
      12,
    );
  });
});
