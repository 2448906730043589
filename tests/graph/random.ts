/** Seeded mulberry32 stream for reproducible test tensors. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(size: number, lo = -1, hi = 1): Float64Array {
    return Float64Array.from({ length: size }, () => lo + (hi - lo) * this.next());
  }

  ints(size: number, bound: number): Int32Array {
    return Int32Array.from({ length: size }, () => Math.floor(this.next() * bound));
  }

  /** A dimension in [lo, hi]. */
  dim(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}
