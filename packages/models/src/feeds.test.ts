import { describe, expect, it } from 'vitest';
import { FEED } from './feed-inputs.js';
import { FeedBuilder, prepareTrainFeeds } from './feeds.js';
import type { ModelConfig } from './types.js';

const shape = { dModel: 16, nLayers: 1, nHeads: 2, ffnHidden: 32, vocabSize: 11, seqLen: 64 };
const B = 16;

function batchOf(seed: number): Int32Array {
  return Int32Array.from(
    { length: B * (shape.seqLen + 1) },
    (_, i) => (i * 7 + seed * 3) % shape.vocabSize,
  );
}

const prime = (objective: 'published' | 'nelbo'): ModelConfig => ({
  family: 'mdm-prime-v2',
  shape,
  precision: 'fp32',
  prime: { base: 2, length: 4, shuffle: true, shuffleSeed: 5, embedding: 'cat-share', objective },
});

describe('FeedBuilder', () => {
  it('ARM shifts each row: inputs are row[:T], targets row[1:]', () => {
    const batch = batchOf(1);
    const feeds = prepareTrainFeeds({ family: 'arm', shape, precision: 'fp32' }, batch, [1, 0]);
    const T = shape.seqLen;
    expect(feeds[FEED.tokens]!.dims).toEqual([B, T]);
    expect(Array.from(feeds[FEED.tokens]!.data.subarray(T, 2 * T))).toEqual(
      Array.from(batch.subarray(T + 1, 2 * T + 1)),
    );
    expect(Array.from(feeds[FEED.targets]!.data.subarray(T, 2 * T))).toEqual(
      Array.from(batch.subarray(T + 2, 2 * T + 2)),
    );
  });

  it('MDM masks with the id V at rate t (stratified), weight 1/t on masked positions only', () => {
    const builder = new FeedBuilder(
      { family: 'mdm', shape, precision: 'fp32', mdm: { eps: 1e-3 } },
      B,
    );
    const feeds = builder.train(batchOf(2), [3, 4]);
    const tokens = feeds[FEED.tokens]!.data;
    const weights = feeds[FEED.tokenWeights]!.data;
    const T = shape.seqLen;
    const rowWeights: number[] = [];
    let maskedTotal = 0;
    for (let b = 0; b < B; b++) {
      let w = 0;
      let masked = 0;
      for (let i = 0; i < T; i++) {
        const isMasked = tokens[b * T + i] === shape.vocabSize;
        masked += isMasked ? 1 : 0;
        if (!isMasked) expect(weights[b * T + i]).toBe(0);
        else w = weights[b * T + i]!;
      }
      maskedTotal += masked;
      if (masked > 0) rowWeights.push(w);
      // 1/t lies in the stratum of row b: t in [eps + (1-eps)b/B, eps + (1-eps)(b+1)/B].
      if (masked > 0) {
        const t = 1 / w;
        expect(t).toBeGreaterThanOrEqual(1e-3 + (1 - 1e-3) * (b / B) - 1e-6);
        expect(t).toBeLessThanOrEqual(1e-3 + (1 - 1e-3) * ((b + 1) / B) + 1e-6);
      }
    }
    // E[masked fraction] = E[t] ≈ 1/2.
    expect(Math.abs(maskedTotal / (B * T) - 0.5)).toBeLessThan(0.08);
    // Same key, same draws (common random numbers); another key, other draws.
    expect(builder.train(batchOf(2), [3, 4])[FEED.tokens]!.data).toEqual(tokens);
    expect(builder.train(batchOf(2), [3, 5])[FEED.tokens]!.data).not.toEqual(tokens);
  });

  it('MDM evaluation masks exactly m tokens per row, m stratified over 1..T, weight T/m', () => {
    const builder = new FeedBuilder(
      { family: 'mdm', shape, precision: 'fp32', mdm: { eps: 1e-3 } },
      B,
    );
    const feeds = builder.eval(batchOf(2), [0, 1]);
    const tokens = feeds[FEED.tokens]!.data;
    const weights = feeds[FEED.tokenWeights]!.data;
    const T = shape.seqLen;
    for (let b = 0; b < B; b++) {
      let m = 0;
      for (let i = 0; i < T; i++) if (tokens[b * T + i] === shape.vocabSize) m++;
      // Row b's count lies in its stratum of {1..T}.
      expect(m).toBeGreaterThanOrEqual(1 + Math.floor((T * b) / B));
      expect(m).toBeLessThanOrEqual(1 + Math.floor((T * (b + 1)) / B));
      for (let i = 0; i < T; i++) {
        expect(weights[b * T + i]).toBeCloseTo(
          tokens[b * T + i] === shape.vocabSize ? T / m : 0,
          5,
        );
      }
    }
    expect(builder.eval(batchOf(2), [0, 1])[FEED.tokens]!.data).toEqual(tokens);
  });

  it('Prime: masked digits hold b, visible one-hots and K weights partition the digits', () => {
    const batch = batchOf(3);
    const l = 4;
    const T = shape.seqLen;
    const check = (
      feeds: Record<string, { data: ArrayLike<number> }>,
      codec: { digits: Int32Array },
      weightOf: (b: number, masked: number) => number,
    ) => {
      const digits = feeds[FEED.digits]!.data;
      const onehot = feeds[FEED.visibleOneHot]!.data;
      const count = feeds[FEED.visibleCount]!.data;
      const kw = feeds[FEED.digitTargetWeights]!.data;
      for (let b = 0; b < B; b++) {
        let masked = 0;
        for (let u = 0; u < T * l; u++) if (digits[b * T * l + u] === 2) masked++;
        const w = weightOf(b, masked);
        for (let i = 0; i < T; i++) {
          const n = b * T + i;
          const x = batch[b * (T + 1) + i]!;
          let visible = 0;
          for (let j = 0; j < l; j++) {
            const clean = codec.digits[x * l + j]!;
            const d = digits[n * l + j]!;
            const o = (n * l + j) * 2;
            if (d === 2) {
              expect([onehot[o], onehot[o + 1]]).toEqual([0, 0]);
              expect(kw[o + clean]).toBeCloseTo(w, 4);
              expect(kw[o + 1 - clean]).toBe(0);
            } else {
              visible++;
              expect(d).toBe(clean);
              expect(onehot[o + clean]).toBe(1);
              expect(kw[o]! + kw[o + 1]!).toBe(0);
            }
          }
          expect(count[n]).toBe(visible);
        }
      }
    };
    const builder = new FeedBuilder(prime('nelbo'), B);
    const codec = builder.codec!;
    // Training: t-drawn masks, weight 1/t (t recovered from the J draw is not fed, so from the weights).
    const train = builder.train(batch, [9, 0]);
    check(train, codec, (b) => {
      const kw = train[FEED.digitTargetWeights]!.data;
      const row = kw.subarray(b * T * l * 2, (b + 1) * T * l * 2);
      return Math.max(...row);
    });
    // Evaluation: exactly m masked digits per row, weight (T·l)/m; J gets its own t-drawn digits.
    const evalFeeds = builder.eval(batch, [9, 0]);
    check(evalFeeds, codec, (_, masked) => (T * l) / masked);
    const objectiveDigits = evalFeeds[FEED.objectiveDigits]!.data;
    const jw = evalFeeds[FEED.tokenWeights]!.data;
    expect(objectiveDigits).not.toEqual(evalFeeds[FEED.digits]!.data);
    for (let b = 0; b < B; b++) {
      let masked = 0;
      for (let u = 0; u < T * l; u++) if (objectiveDigits[b * T * l + u] === 2) masked++;
      const t = 1 / jw[b * T]!;
      expect(t).toBeGreaterThanOrEqual(1e-3 + (1 - 1e-3) * (b / B) - 1e-6);
      expect(t).toBeLessThanOrEqual(1e-3 + (1 - 1e-3) * ((b + 1) / B) + 1e-6);
      // Binomial(T·l, t) masked digits: within 5 standard deviations.
      expect(Math.abs(masked - T * l * t)).toBeLessThan(5 * Math.sqrt(T * l * t * (1 - t)) + 1);
    }
  });

  it('Prime training feeds only the inputs of the chosen objective', () => {
    const published = new FeedBuilder(prime('published'), B).train(batchOf(4), [1, 1]);
    expect(Object.keys(published).sort()).toEqual(
      [FEED.digits, FEED.targets, FEED.tokenWeights].sort(),
    );
    const nelbo = new FeedBuilder(prime('nelbo'), B).train(batchOf(4), [1, 1]);
    expect(Object.keys(nelbo).sort()).toEqual(
      [FEED.digits, FEED.visibleOneHot, FEED.visibleCount, FEED.digitTargetWeights].sort(),
    );
  });

  it('evaluation draws are common to every model size of a sweep (same key, same feeds)', () => {
    const bigger = { ...shape, dModel: 64, nLayers: 3, nHeads: 4, ffnHidden: 128 };
    for (const config of [
      { family: 'mdm', shape, precision: 'fp32', mdm: { eps: 1e-3 } } as ModelConfig,
      prime('nelbo'),
    ]) {
      const small = new FeedBuilder(config, B).eval(batchOf(6), [42, 3]);
      const large = new FeedBuilder({ ...config, shape: bigger }, B).eval(batchOf(6), [42, 3]);
      expect(large).toEqual(small);
    }
  });

  it('rejects batches of the wrong size or with out-of-vocabulary ids, naming the field', () => {
    const builder = new FeedBuilder({ family: 'arm', shape, precision: 'fp32' }, B);
    expect(() => builder.train(new Int32Array(5), 0)).toThrow(/batch: expected/);
    const bad = batchOf(1);
    bad[17] = shape.vocabSize;
    expect(() => builder.train(bad, 0)).toThrow(/batch\[17\]/);
  });
});
