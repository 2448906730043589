/**
 * xoshiro128** (Blackman and Vigna): the one generator behind every seeded stream of isoflop, small and
 * identical on every platform. It only advances the state; each owner of a stream seeds it its own way
 * (the fit's bootstrap from one seed, the models' draws from a key such as (seed, step)) and draws from
 * `nextUint32` the numbers it needs, so that the streams and results of both stay what they were.
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** The four 32-bit state words; not all zero (the generator would stay at zero). */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
