import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from './xoshiro128.js';

describe('Xoshiro128', () => {
  it("gives xoshiro128**'s reference outputs from the state (1, 2, 3, 4)", () => {
    // Computed by an independent Python transcription of Blackman and Vigna's xoshiro128starstar.c.
    const rng = new Xoshiro128(1, 2, 3, 4);
    const outputs = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(outputs).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });
});
