import { describe, expect, it } from 'vitest';
import { counterUniform } from './counter-random.js';

describe('counterUniform', () => {
  it('has the moments of U(0, 1) and no lag-1 correlation along the counter', () => {
    const n = 20_000;
    const draws = Array.from({ length: n }, (_, i) => counterUniform(123, 7, i, 0));
    const mean = draws.reduce((a, b) => a + b, 0) / n;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    let lag = 0;
    for (let i = 1; i < n; i += 1) lag += ((draws[i] ?? 0) - mean) * ((draws[i - 1] ?? 0) - mean);
    // Standard errors: mean 0.002, variance 0.0006, correlation 0.007; bounds at ~5 sigma.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.003);
    expect(Math.abs(lag / (n * variance))).toBeLessThan(0.035);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });

  it('depends on every argument, including the high bits of seed and counter', () => {
    const base = counterUniform(5, 1, 9, 2);
    expect(counterUniform(5, 1, 9, 2)).toBe(base);
    for (const other of [
      counterUniform(6, 1, 9, 2),
      counterUniform(5 + 2 ** 32, 1, 9, 2),
      counterUniform(5, 2, 9, 2),
      counterUniform(5, 1, 10, 2),
      counterUniform(5, 1, 9 + 2 ** 32, 2),
      counterUniform(5, 1, 9, 3),
    ]) {
      expect(other).not.toBe(base);
    }
  });
});
