import { describe, expect, it } from 'vitest';
import { PrimeCodec } from './prime-codec.js';
import { unigramObjectives } from './unigram-objectives.js';

const LN2 = Math.log(2);

function zipf(V: number, s: number): Float64Array {
  const p = new Float64Array(V);
  let z = 0;
  for (let x = 0; x < V; x++) z += p[x] = 1 / (x + 1) ** s;
  for (let x = 0; x < V; x++) p[x]! /= z;
  return p;
}

// paper-notes section 5: Zipf(1.1) over V = 1000, frequent tokens at small ids; figures in bits.
const TABLE = [
  { base: 1000, length: 1, identity: 6.804, shuffled: 6.804 },
  { base: 32, length: 2, identity: 6.717, shuffled: 5.796 },
  { base: 10, length: 3, identity: 6.673, shuffled: 5.473 },
  { base: 4, length: 5, identity: 6.625, shuffled: 5.271 },
  { base: 2, length: 10, identity: 6.584, shuffled: 5.026 },
];

describe('unigramObjectives (optimal model on a unigram toy)', () => {
  const probs = zipf(1000, 1.1);

  it.each(TABLE)('b=$base l=$length: K* = H, J* matches the paper-notes table', (row) => {
    const plain = unigramObjectives(
      probs,
      PrimeCodec.create({
        vocabSize: 1000,
        base: row.base,
        length: row.length,
        shuffle: false,
        shuffleSeed: 0,
      }),
    );
    expect(plain.entropy / LN2).toBeCloseTo(6.804, 3);
    expect(Math.abs(plain.nelbo - plain.entropy)).toBeLessThan(1e-9);
    expect(Math.abs(plain.published / LN2 - row.identity)).toBeLessThan(6e-4);

    // A different permutation draw than the notes' numpy one: the shuffled J* varies a little by draw.
    const shuffled = unigramObjectives(
      probs,
      PrimeCodec.create({
        vocabSize: 1000,
        base: row.base,
        length: row.length,
        shuffle: true,
        shuffleSeed: 7,
      }),
    );
    expect(Math.abs(shuffled.nelbo - shuffled.entropy)).toBeLessThan(1e-9);
    expect(Math.abs(shuffled.published / LN2 - row.shuffled)).toBeLessThan(0.1);
    if (row.length > 1) {
      expect(shuffled.published).toBeLessThan(plain.published);
      expect(plain.published).toBeLessThan(plain.entropy - 1e-3);
    } else {
      expect(Math.abs(plain.published - plain.entropy)).toBeLessThan(1e-12);
    }
  });

  it('two perfectly correlated bits carrying one bit give J* = half a bit and K* = one bit', () => {
    // Tokens 0 and 3 (codes 00 and 11), each with probability 1/2.
    const codec = PrimeCodec.create({
      vocabSize: 4,
      base: 2,
      length: 2,
      shuffle: false,
      shuffleSeed: 0,
    });
    const result = unigramObjectives(Float64Array.from([0.5, 0, 0, 0.5]), codec);
    expect(result.entropy).toBeCloseTo(LN2, 12);
    expect(result.published).toBeCloseTo(LN2 / 2, 12);
    expect(result.nelbo).toBeCloseTo(LN2, 12);
  });
});
