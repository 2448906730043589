import { describe, expect, it } from 'vitest';
import { ModelError } from './errors.js';
import { PrimeCodec } from './prime-codec.js';

function allTokens(V: number): Int32Array {
  return Int32Array.from({ length: V }, (_, i) => i);
}

describe('PrimeCodec', () => {
  it('writes base-b digits most significant first', () => {
    const codec = PrimeCodec.create({
      vocabSize: 100,
      base: 10,
      length: 2,
      shuffle: false,
      shuffleSeed: 0,
    });
    expect(Array.from(codec.encode(Int32Array.from([7, 42, 99])))).toEqual([0, 7, 4, 2, 9, 9]);
    const binary = PrimeCodec.create({
      vocabSize: 6,
      base: 2,
      length: 3,
      shuffle: false,
      shuffleSeed: 0,
    });
    expect(Array.from(binary.encode(Int32Array.from([5, 1])))).toEqual([1, 0, 1, 0, 0, 1]);
  });

  it.each([
    { vocabSize: 1000, base: 2, length: 10, shuffle: true },
    { vocabSize: 1000, base: 2, length: 10, shuffle: false },
    { vocabSize: 50, base: 3, length: 4, shuffle: true },
    { vocabSize: 50257, base: 2, length: 16, shuffle: true },
  ])('encode/decode is a bijection on [0, V) with only valid codes (%o)', (opts) => {
    const codec = PrimeCodec.create({ ...opts, shuffleSeed: 11 });
    const tokens = allTokens(opts.vocabSize);
    const digits = codec.encode(tokens);
    expect(Array.from(codec.decode(digits))).toEqual(Array.from(tokens));
    const seen = new Set<number>();
    let badDigits = 0;
    let badCodes = 0;
    for (let x = 0; x < opts.vocabSize; x++) {
      let code = 0;
      for (let j = 0; j < opts.length; j++) {
        const d = digits[x * opts.length + j]!;
        if (!(d >= 0 && d < opts.base)) badDigits++;
        code = code * opts.base + d;
      }
      // The inverse of a code used by a real token is that token, so no invalid code is ever produced.
      if (code !== codec.permutation[x] || codec.inverse[code] !== x) badCodes++;
      seen.add(code);
    }
    expect(badDigits).toBe(0);
    expect(badCodes).toBe(0);
    expect(seen.size).toBe(opts.vocabSize);
  });

  it('shuffles all b^l codes by a permutation fixed by the seed', () => {
    const a = PrimeCodec.create({
      vocabSize: 1000,
      base: 2,
      length: 10,
      shuffle: true,
      shuffleSeed: 3,
    });
    const b = PrimeCodec.create({
      vocabSize: 1000,
      base: 2,
      length: 10,
      shuffle: true,
      shuffleSeed: 3,
    });
    const c = PrimeCodec.create({
      vocabSize: 1000,
      base: 2,
      length: 10,
      shuffle: true,
      shuffleSeed: 4,
    });
    expect(a.permutation).toEqual(b.permutation);
    expect(a.permutation).not.toEqual(c.permutation);
    expect(Array.from(a.permutation).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 1024 }, (_, i) => i),
    );
    // Real tokens land on codes beyond V as well: the permutation covers all 1024 codes.
    expect(Math.max(...a.permutation.subarray(0, 1000))).toBeGreaterThanOrEqual(1000);
  });

  it('round-trips through serialize and rejects a corrupted permutation', () => {
    const codec = PrimeCodec.create({
      vocabSize: 20,
      base: 2,
      length: 5,
      shuffle: true,
      shuffleSeed: 9,
    });
    const restored = PrimeCodec.fromSerialized(codec.serialize());
    expect(restored.digits).toEqual(codec.digits);
    const bad = codec.serialize();
    bad.permutation[3] = bad.permutation[4]!;
    expect(() => PrimeCodec.fromSerialized(bad)).toThrow(ModelError);
    expect(() =>
      PrimeCodec.fromSerialized({ ...codec.serialize(), inverse: new Int32Array(5) }),
    ).toThrow(/inverse/);
  });

  it('rejects codes of no token and geometries that cannot hold V', () => {
    const codec = PrimeCodec.create({
      vocabSize: 5,
      base: 2,
      length: 3,
      shuffle: false,
      shuffleSeed: 0,
    });
    expect(() => codec.decode(Int32Array.from([1, 1, 1]))).toThrow(/not the code of any token/);
    expect(() => codec.decode(Int32Array.from([2, 0, 0]))).toThrow(/digits\[0\]/);
    expect(() => codec.encode(Int32Array.from([5]))).toThrow(/tokens\[0\]/);
    expect(() =>
      PrimeCodec.create({ vocabSize: 9, base: 2, length: 3, shuffle: false, shuffleSeed: 0 }),
    ).toThrow(/length/);
  });
});
