import type { TokenShard } from './token-shard.js';

/**
 * Entropy in nats of the shard's unigram distribution: the loss of the best model that ignores context, so a
 * trained model's loss well below it shows it learned from context.
 */
export function unigramEntropy(shard: TokenShard): number {
  const counts = new Float64Array(shard.vocabSize);
  for (const id of shard.tokens) counts[id] = (counts[id] ?? 0) + 1;
  const total = shard.tokens.length;
  let entropy = 0;
  for (const count of counts) {
    if (count > 0) {
      const p = count / total;
      entropy -= p * Math.log(p);
    }
  }
  return entropy;
}
