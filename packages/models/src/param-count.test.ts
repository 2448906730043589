import { describe, expect, it } from 'vitest';
import { ModelError } from './errors.js';
import { countParams, flopsPerStep } from './param-count.js';

describe('countParams', () => {
  it('paper convention matches the Megatron labels (12·d²·L)', () => {
    const shape = {
      dModel: 768,
      nLayers: 15,
      nHeads: 12,
      ffnHidden: 3072,
      vocabSize: 50257,
      seqLen: 2048,
    };
    expect(countParams(shape).paper).toBe(106_168_320);
  });

  it('exact count matches lit_gpt Diff_LLaMA_1028M plus our QK-norm gains', () => {
    // lit_gpt counts 1,027,677,952 non-embedding weights for this network, which has no QK-norm.
    const shape = {
      dModel: 1792,
      nLayers: 20,
      nHeads: 14,
      ffnHidden: 7168,
      vocabSize: 32000,
      seqLen: 2048,
    };
    const counts = countParams(shape);
    const qkNormGains = 20 * 2 * (1792 / 14);
    expect(counts.exactNonEmbedding - qkNormGains).toBe(1_027_677_952);
    expect(counts.embedding).toBe(2 * 32000 * 1792);
    expect(counts.total).toBe(counts.exactNonEmbedding + counts.embedding);
  });

  it('embedding tables follow the family', () => {
    const shape = { dModel: 64, nLayers: 2, nHeads: 4, ffnHidden: 256, vocabSize: 100, seqLen: 16 };
    const head = 100 * 64;
    expect(countParams(shape, { family: 'mdm' }).embedding).toBe(101 * 64 + head);
    const prime = { base: 2, length: 8, embedding: 'cat-share' as const };
    expect(countParams(shape, { family: 'mdm-prime-v2', prime }).embedding).toBe(3 * 8 + head);
    expect(
      countParams(shape, { family: 'mdm-prime-v2', prime: { ...prime, embedding: 'sum' } })
        .embedding,
    ).toBe(8 * 3 * 64 + head);
  });

  it('names the bad field', () => {
    const shape = { dModel: 60, nLayers: 2, nHeads: 8, ffnHidden: 256, vocabSize: 100, seqLen: 16 };
    expect(() => countParams(shape)).toThrow(ModelError);
    expect(() => countParams(shape)).toThrow(/shape\.nHeads/);
    expect(() => countParams({ ...shape, nHeads: 6, nLayers: 0 })).toThrow(/shape\.nLayers/);
  });
});

describe('flopsPerStep', () => {
  it('is 6 per matmul weight per token plus attention', () => {
    const shape = { dModel: 64, nLayers: 2, nHeads: 4, ffnHidden: 256, vocabSize: 100, seqLen: 16 };
    const perLayer = 4 * 64 * 64 + 3 * 64 * 256 + 2 * 64 + 2 * 16;
    const weights = 2 * perLayer + 64 + 100 * 64;
    const tokens = 8 * 16;
    const attention = 2 * 2 * (16 * 64) * 3; // QKᵀ and AV, 2 FLOPs per MAC, forward + backward
    expect(flopsPerStep({ family: 'arm', shape, precision: 'fp32' }, 8)).toBe(
      (6 * weights + 2 * attention) * tokens,
    );
    // Prime (cat-share, 8 digits × 2 symbols) adds its digit-table products only when trained on K.
    const prime = {
      base: 2,
      length: 8,
      shuffle: false,
      shuffleSeed: 0,
      embedding: 'cat-share' as const,
    };
    const flops = (objective: 'published' | 'nelbo') =>
      flopsPerStep(
        { family: 'mdm-prime-v2', shape, precision: 'fp32', prime: { ...prime, objective } },
        8,
      );
    expect(flops('published')).toBe((6 * weights + 2 * attention) * tokens);
    expect(flops('nelbo') - flops('published')).toBe(6 * 8 * 2 * 100 * tokens);
  });
});
