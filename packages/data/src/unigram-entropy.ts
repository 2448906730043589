import type { TokenShard } from './token-shard.js';

/** Tokens counted per read: the stream is never held whole. */
const CHUNK_TOKENS = 1 << 20;

/**
 * Entropy in nats of the shard's unigram distribution: the loss of the best model that ignores context, so a
 * trained model's loss well below it shows it learned from context.
 */
export function unigramEntropy(shard: TokenShard): number {
  const counts = new Float64Array(shard.vocabSize);
  const chunk = new Int32Array(Math.min(CHUNK_TOKENS, shard.length));
  for (let start = 0; start < shard.length; start += chunk.length) {
    const count = Math.min(chunk.length, shard.length - start);
    shard.read(start, count, chunk, 0);
    for (let i = 0; i < count; i += 1) {
      const id = chunk[i] ?? 0;
      counts[id] = (counts[id] ?? 0) + 1;
    }
  }
  const total = shard.length;
  let entropy = 0;
  for (const count of counts) {
    if (count > 0) {
      const p = count / total;
      entropy -= p * Math.log(p);
    }
  }
  return entropy;
}
