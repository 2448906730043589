import { describe, expect, it } from 'vitest';
import { tokenShardFromArray, type TokenShard } from './token-shard.js';
import { unigramEntropy } from './unigram-entropy.js';

const shard = (ids: number[], vocabSize: number): TokenShard =>
  tokenShardFromArray(Uint16Array.from(ids), vocabSize);

describe('unigramEntropy', () => {
  it('is log k nats for k equally frequent tokens, whatever the unused vocabulary', () => {
    expect(unigramEntropy(shard([0, 1, 2, 3, 0, 1, 2, 3], 100))).toBeCloseTo(Math.log(4), 12);
  });

  it('is zero for a constant stream', () => {
    expect(unigramEntropy(shard([5, 5, 5], 8))).toBe(0);
  });

  it('matches -sum p log p for a skewed distribution', () => {
    // p = (1/2, 1/4, 1/4): H = 1.5 ln 2.
    expect(unigramEntropy(shard([7, 7, 1, 2], 8))).toBeCloseTo(1.5 * Math.log(2), 12);
  });
});
