import { Xoshiro128 } from '@isoflop/random';
import { ModelError } from './errors.js';

// splitmix32 finaliser: spreads each key word over the whole state so that nearby keys
// (step 7 versus step 8) give unrelated streams.
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/**
 * xoshiro128** keyed by a list of integers such as (seed, step) so that every draw is a pure function of
 * its key: evaluation masks depend on the sweep's eval seed and the batch index only, which makes them
 * common random numbers across the runs of a sweep.
 */
export class Rng extends Xoshiro128 {
  constructor(...key: number[]) {
    let h = 0x6a09e667;
    for (const [i, k] of key.entries()) {
      if (!Number.isSafeInteger(k)) {
        throw new ModelError('INVALID_CONFIG', `seed[${i}]`, `expected a safe integer, got ${k}`);
      }
      const lo = k >>> 0;
      const hi = Math.floor(k / 2 ** 32) >>> 0;
      h = mix32(h ^ lo);
      h = mix32(h ^ hi);
    }
    const s0 = mix32(h);
    const s1 = mix32(s0 ^ 0x85ebca6b);
    const s2 = mix32(s1 ^ 0xc2b2ae35);
    const s3 = mix32(s2 ^ 0x27d4eb2f);
    super((s0 | s1 | s2 | s3) === 0 ? 1 : s0, s1, s2, s3);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  nextInt(n: number): number {
    if (n <= 2 ** 32) {
      const limit = 2 ** 32 - (2 ** 32 % n);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return x % n;
      }
    }
    return Math.floor(this.nextFloat() * n);
  }

  /** Standard normal by Box-Muller. */
  nextNormal(): number {
    const u = 1 - this.nextFloat();
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** A uniformly random permutation of [0, n) by Fisher-Yates. */
export function randomPermutation(n: number, rng: Rng): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = tmp;
  }
  return perm;
}
