import type { Tensor } from '@isoflop/graph';
import { FEED } from './feed-inputs.js';
import type { GraphContext } from './internal/graph-context.js';
import type { PrimeCodec } from './prime-codec.js';

// Restricted softmax: a large finite penalty per mismatching visible digit, not −∞ (paper-notes 8.2).
const MISMATCH_PENALTY = -1e6;
// Keeps log(marginal) finite when a marginal underflows; far below any probability that matters.
const MARGINAL_FLOOR = 1e-30;

/** ARM: per-row sums [B] of next-token cross-entropy. */
export function armRowSums(ctx: GraphContext, logits: Tensor): Tensor {
  const { b } = ctx;
  const [B, T] = logits.shape as [number, number, number];
  const targets = b.input(FEED.targets, 'int32', [B, T]);
  return b.reduceSum(b.crossEntropy(logits, targets), [1]);
}

/**
 * Σ_i token_weights_i · CE_i per row [B]: MDM's NELBO (weights 1[masked]/t) and Prime's published J
 * (weights 1/t for every token, CE over all V with no carry-over filter, as the v2 code).
 */
export function weightedRowSums(ctx: GraphContext, logits: Tensor): Tensor {
  const { b } = ctx;
  const [B, T] = logits.shape as [number, number, number];
  const targets = b.input(FEED.targets, 'int32', [B, T]);
  const weights = b.input(FEED.tokenWeights, 'float', [B, T]);
  return b.reduceSum(b.crossEntropy(logits, targets, weights), [1]);
}

/**
 * Prime K per row [B] (paper-notes 5): restrict the V logits to the tokens consistent with the visible
 * digits (carry-over), then for every masked digit add −(1/t)·log of its marginal under that restricted
 * distribution. Consistency and marginals are products with the [V, l·b] one-hot digit table.
 */
export function primeNelboRowSums(ctx: GraphContext, logits: Tensor, codec: PrimeCodec): Tensor {
  const { b } = ctx;
  const [B, T, V] = logits.shape as [number, number, number];
  const width = codec.length * codec.base;
  const table = new Float64Array(V * width);
  for (let x = 0; x < V; x++) {
    for (let j = 0; j < codec.length; j++)
      table[x * width + j * codec.base + codec.digits[x * codec.length + j]!] = 1;
  }
  const digitTable = ctx.floatConstant(table, [V, width]);
  const visible = b.input(FEED.visibleOneHot, 'float', [B, T, width]);
  const visibleCount = b.input(FEED.visibleCount, 'float', [B, T, 1]);
  const weights = b.input(FEED.digitTargetWeights, 'float', [B, T, width]);
  const matches = b.matmul(visible, digitTable, { transposeB: true });
  const mismatches = b.sub(visibleCount, matches);
  const restricted = b.add(logits, b.mul(mismatches, MISMATCH_PENALTY));
  const probs = b.softmax(restricted, -1);
  const marginals = b.matmul(probs, digitTable);
  const terms = b.mul(weights, b.log(b.add(marginals, MARGINAL_FLOOR)));
  return b.neg(b.reduceSum(terms, [1, 2]));
}
