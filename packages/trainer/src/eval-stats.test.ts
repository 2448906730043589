import { describe, expect, it } from 'vitest';
import { meanAndStdErr } from './eval-stats.js';

describe('meanAndStdErr', () => {
  it('matches the textbook sample standard error of the per-row means', () => {
    // per-row means 1, 2, 3, 6: mean 3, sample variance 14/3, stderr sqrt(14/3/4)
    const { mean, stdErr } = meanAndStdErr([4, 8, 12, 24], 4);
    expect(mean).toBeCloseTo(3, 12);
    expect(stdErr).toBeCloseTo(Math.sqrt(14 / 3 / 4), 12);
  });

  it('has no spread to report from fewer than two rows', () => {
    expect(meanAndStdErr([5], 5).mean).toBe(1);
    expect(meanAndStdErr([5], 5).stdErr).toBeNaN();
    expect(meanAndStdErr([], 5).mean).toBeNaN();
  });
});
