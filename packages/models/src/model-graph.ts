import { GraphBuilder, type OpTarget, type Tensor } from '@isoflop/graph';
import { FEED, primeCodecFor, type FloatType } from './feeds.js';
import { GraphContext } from './internal/graph-context.js';
import { declareInputEmbedding, embedInputs } from './input-embedding.js';
import { armRowSums, primeNelboRowSums, weightedRowSums } from './objectives.js';
import { applyBackbone, declareBackbone } from './transformer.js';
import type { ModelConfig } from './types.js';
import { requirePrime } from './validate-config.js';

/** Which objectives a graph computes, per row of the batch. */
export interface RowSums {
  /** The valid bound (ARM: NLL; MDM: NELBO; Prime: K), Σ over the row's T tokens. */
  bound?: Tensor;
  /** Prime's published objective J (not a bound), Σ over the row's T tokens. */
  objective?: Tensor;
}

export interface ModelGraph {
  ctx: GraphContext;
  /** Per-row sums [B] of the objective the family trains on. */
  trained: Tensor;
  rows: RowSums;
}

/**
 * Forward graph of one family: embedding, backbone (causal for ARM only), head, and the per-row sums
 * of the requested objectives. `purpose: 'train'` builds only the trained objective (Prime: J for
 * `published`, K for `nelbo`). `'eval'` builds the bound, and for Prime also J from a second forward
 * pass on its own (t-drawn) inputs, because K is evaluated on fixed-count masks (see FeedBuilder).
 */
export function buildModelGraph(
  config: ModelConfig,
  batchSize: number,
  purpose: 'train' | 'eval',
  floatType: FloatType,
  target: OpTarget = 'cpu',
): ModelGraph {
  const ctx = new GraphContext(
    new GraphBuilder({ dtype: floatType, name: `isoflop-${config.family}-${purpose}`, target }),
  );
  const { b } = ctx;
  const { seqLen: T } = config.shape;
  const table = declareInputEmbedding(ctx, config);
  const weights = declareBackbone(ctx, config.shape);
  // Float64 builds (gradient checks) of a mixed config stay exact.
  const halfMatmuls = config.precision === 'mixed' && floatType === 'float32';
  const forward = (ids: Tensor): Tensor =>
    applyBackbone(ctx, config.shape, weights, embedInputs(ctx, config, table, ids), {
      causal: config.family === 'arm',
      halfMatmuls,
    });

  if (config.family !== 'mdm-prime-v2') {
    const logits = forward(b.input(FEED.tokens, 'int32', [batchSize, T]));
    const bound = config.family === 'arm' ? armRowSums(ctx, logits) : weightedRowSums(ctx, logits);
    return { ctx, trained: bound, rows: { bound } };
  }
  const prime = requirePrime(config);
  const codec = primeCodecFor(config.shape.vocabSize, prime);
  const digits = (name: string) => b.input(name, 'int32', [batchSize, T, prime.length]);
  if (purpose === 'train') {
    const logits = forward(digits(FEED.digits));
    const trained =
      prime.objective === 'published'
        ? weightedRowSums(ctx, logits)
        : primeNelboRowSums(ctx, logits, codec);
    return {
      ctx,
      trained,
      rows: prime.objective === 'published' ? { objective: trained } : { bound: trained },
    };
  }
  const bound = primeNelboRowSums(ctx, forward(digits(FEED.digits)), codec);
  const objective = weightedRowSums(ctx, forward(digits(FEED.objectiveDigits)));
  return {
    ctx,
    trained: prime.objective === 'published' ? objective : bound,
    rows: { bound, objective },
  };
}

/** The scalar training loss: the trained objective's sum over the batch / (B·T), in nats per token. */
export function trainingLoss(graph: ModelGraph, batchSize: number, seqLen: number): Tensor {
  const { b } = graph.ctx;
  return b.div(b.reduceSum(graph.trained), batchSize * seqLen);
}
