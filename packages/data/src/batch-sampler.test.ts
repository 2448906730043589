import { describe, expect, it } from 'vitest';
import { sampleBatch, validationBatches } from './batch-sampler.js';
import { tokenShardFromArray, type TokenShard } from './token-shard.js';

// Token id = position, so every row reveals where it was cut from.
function positionalShard(length: number): TokenShard {
  return tokenShardFromArray(
    Uint32Array.from({ length }, (_, i) => i),
    length,
  );
}

function rows(batch: Int32Array, width: number): Int32Array[] {
  return Array.from({ length: batch.length / width }, (_, r) =>
    batch.subarray(r * width, (r + 1) * width),
  );
}

describe('sampleBatch', () => {
  const shard = positionalShard(10_000);

  it('returns [batchSize, seqLen + 1] windows of consecutive tokens from the shard', () => {
    const batch = sampleBatch(shard, 7, 3, 4, 16);
    expect(batch).toHaveLength(4 * 17);
    for (const row of rows(batch, 17)) {
      const start = row[0] ?? -1;
      expect(start).toBeGreaterThanOrEqual(0);
      expect(start + 16).toBeLessThan(10_000);
      expect(Array.from(row)).toEqual(Array.from({ length: 17 }, (_, i) => start + i));
    }
  });

  it('is a pure function of (seed, step): a resumed run sees the batches it would have seen', () => {
    const straight = Array.from({ length: 20 }, (_, step) => sampleBatch(shard, 42, step, 3, 8));
    // "Resume" at step 12 in a fresh call sequence, after unrelated draws.
    sampleBatch(shard, 1, 0, 5, 8);
    const resumed = Array.from({ length: 8 }, (_, i) => sampleBatch(shard, 42, 12 + i, 3, 8));
    expect(resumed).toEqual(straight.slice(12));
  });

  it('draws different batches for different steps and seeds', () => {
    const starts = (seed: number, step: number): number[] =>
      rows(sampleBatch(shard, seed, step, 8, 4), 5).map((row) => row[0] ?? -1);
    expect(starts(1, 0)).not.toEqual(starts(1, 1));
    expect(starts(1, 0)).not.toEqual(starts(2, 0));
    expect(starts(2 ** 40, 0)).not.toEqual(starts(2 ** 40 + 1, 0));
  });

  it('spreads window starts uniformly over the shard (chi-square over 10 bins)', () => {
    const small = positionalShard(1001);
    const bins = new Array<number>(10).fill(0);
    for (let step = 0; step < 500; step += 1) {
      for (const row of rows(sampleBatch(small, 9, step, 20, 1), 2)) {
        const start = row[0] ?? 0;
        bins[Math.floor(start / 100)] = (bins[Math.floor(start / 100)] ?? 0) + 1;
      }
    }
    const expected = 10_000 / 10;
    const chiSquare = bins.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 99.9th percentile of chi-square with 9 degrees of freedom is 27.9.
    expect(chiSquare).toBeLessThan(27.9);
  });

  it('reaches the very last window of the shard', () => {
    const tiny = positionalShard(4);
    const starts = new Set<number>();
    for (let step = 0; step < 200; step += 1) starts.add(sampleBatch(tiny, 0, step, 1, 2)[0] ?? -1);
    expect([...starts].sort()).toEqual([0, 1]);
  });

  it('names the bad argument', () => {
    expect(() => sampleBatch(shard, -1, 0, 1, 4)).toThrow(/seed: expected an integer >= 0/);
    expect(() => sampleBatch(shard, 0, 1.5, 1, 4)).toThrow(/step: expected an integer/);
    expect(() => sampleBatch(shard, 0, 0, 0, 4)).toThrow(/batchSize: expected an integer >= 1/);
    expect(() => sampleBatch(positionalShard(8), 0, 0, 1, 8)).toThrow(
      /seqLen: expected seqLen \+ 1 = 9 <= the shard's 8 tokens/,
    );
    expect(() => sampleBatch(shard, 0, 0, 1, 0)).toThrow(
      expect.objectContaining({ name: 'DataError', code: 'INVALID_ARGUMENT', field: 'seqLen' }),
    );
  });
});

describe('validationBatches', () => {
  const shard = positionalShard(5_000);

  it('covers the requested tokens with full batches of distinct, non-overlapping aligned windows', () => {
    const batches = validationBatches(shard, 3, 300, 4, 9);
    // ceil(300 / 9) = 34 rows -> 9 batches of 4.
    expect(batches).toHaveLength(9);
    const starts = batches.flatMap((batch) => rows(batch, 10).map((row) => row[0] ?? -1));
    expect(new Set(starts).size).toBe(36);
    for (const start of starts) expect(start % 10).toBe(0);
    for (const batch of batches) {
      for (const row of rows(batch, 10)) {
        const start = row[0] ?? 0;
        expect(Array.from(row)).toEqual(Array.from({ length: 10 }, (_, i) => start + i));
      }
    }
  });

  it('is the same set for the same seed and a different one for another seed', () => {
    expect(validationBatches(shard, 5, 100, 2, 9)).toEqual(validationBatches(shard, 5, 100, 2, 9));
    expect(validationBatches(shard, 5, 100, 2, 9)).not.toEqual(
      validationBatches(shard, 6, 100, 2, 9),
    );
  });

  it('uses every full batch the shard holds when asked for more', () => {
    const batches = validationBatches(positionalShard(105), 1, 10_000, 3, 9);
    // 10 slots of 10 tokens -> 3 full batches of 3.
    expect(batches).toHaveLength(3);
    const starts = batches.flatMap((batch) => rows(batch, 10).map((row) => row[0] ?? -1));
    expect(new Set(starts).size).toBe(9);
  });

  it('rejects a shard too short for one batch', () => {
    expect(() => validationBatches(positionalShard(25), 1, 100, 3, 9)).toThrow(
      /batchSize: expected the validation shard to hold one batch of 3 x 10 tokens, it holds 25/,
    );
  });
});
