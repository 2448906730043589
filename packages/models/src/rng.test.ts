import { describe, expect, it } from 'vitest';
import { Rng, randomPermutation } from './rng.js';

describe('Rng', () => {
  it('is a pure function of its key, and nearby keys give unrelated streams', () => {
    const draw = (...key: number[]) =>
      Array.from(
        { length: 8 },
        (
          (r) => () =>
            r.nextUint32()
        )(new Rng(...key)),
      );
    expect(draw(5, 7)).toEqual(draw(5, 7));
    expect(draw(5, 7)).not.toEqual(draw(5, 8));
    expect(draw(5, 7)).not.toEqual(draw(7, 5));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it('draws uniform floats and normals with the right moments', () => {
    const rng = new Rng(1);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let nSum = 0;
    let nSumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.nextFloat();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      sumSq += u * u;
      const z = rng.nextNormal();
      nSum += z;
      nSumSq += z * z;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sumSq / n - 1 / 3)).toBeLessThan(0.005);
    expect(Math.abs(nSum / n)).toBeLessThan(0.01);
    expect(Math.abs(nSumSq / n - 1)).toBeLessThan(0.02);
  });

  it('nextInt covers [0, n) evenly and permutations are permutations', () => {
    const rng = new Rng(2);
    const counts = new Int32Array(6);
    for (let i = 0; i < 60_000; i++) counts[rng.nextInt(6)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    const perm = randomPermutation(1000, new Rng(3));
    expect(new Set(perm).size).toBe(1000);
    expect(Math.min(...perm)).toBe(0);
    expect(Math.max(...perm)).toBe(999);
  });
});
