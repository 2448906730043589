import { Xoshiro128 } from '@isoflop/random';

/**
 * xoshiro128** seeded through splitmix32: identical on every platform, so a bootstrap with a given seed is
 * reproducible anywhere.
 */
export class BootstrapRng extends Xoshiro128 {
  constructor(seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    const s0 = next();
    const s1 = next();
    const s2 = next();
    super(s0, s1, s2, next());
  }

  /** A uniform integer in [0, bound), bound ≤ 2^32 (multiply-shift; its bias is below 2^-20 here). */
  nextIndex(bound: number): number {
    return Math.floor((this.nextUint32() / 0x100000000) * bound);
  }

  /** A uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 0x100000000;
  }

  /** A standard normal draw (Box–Muller). */
  nextNormal(): number {
    const u = 1 - this.nextFloat();
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
