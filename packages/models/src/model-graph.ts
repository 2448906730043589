import { GraphBuilder, type Tensor } from '@isoflop/graph';
import { primeCodecFor, type FloatType } from './feeds.js';
import { GraphContext } from './internal/graph-context.js';
import { buildInputEmbedding } from './input-embedding.js';
import { armRowSums, primeNelboRowSums, weightedRowSums } from './objectives.js';
import { buildBackbone, buildHead } from './transformer.js';
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
 * `published`, K for `nelbo`); `'eval'` builds the bound, and for Prime J as well.
 */
export function buildModelGraph(
  config: ModelConfig,
  batchSize: number,
  purpose: 'train' | 'eval',
  floatType: FloatType,
): ModelGraph {
  const ctx = new GraphContext(
    new GraphBuilder({ dtype: floatType, name: `isoflop-${config.family}-${purpose}` }),
  );
  const embedded = buildInputEmbedding(ctx, config, batchSize);
  const hidden = buildBackbone(ctx, config.shape, embedded, { causal: config.family === 'arm' });
  const logits = buildHead(ctx, config.shape, hidden);
  switch (config.family) {
    case 'arm': {
      const bound = armRowSums(ctx, logits);
      return { ctx, trained: bound, rows: { bound } };
    }
    case 'mdm': {
      const bound = weightedRowSums(ctx, logits);
      return { ctx, trained: bound, rows: { bound } };
    }
    case 'mdm-prime-v2': {
      const prime = requirePrime(config);
      const codec = primeCodecFor(config.shape.vocabSize, prime);
      if (prime.objective === 'published') {
        const objective = weightedRowSums(ctx, logits);
        const bound = purpose === 'eval' ? primeNelboRowSums(ctx, logits, codec) : undefined;
        return { ctx, trained: objective, rows: { objective, bound } };
      }
      const bound = primeNelboRowSums(ctx, logits, codec);
      const objective = purpose === 'eval' ? weightedRowSums(ctx, logits) : undefined;
      return { ctx, trained: bound, rows: { objective, bound } };
    }
  }
}

/** The scalar training loss: the trained objective's sum over the batch / (B·T), in nats per token. */
export function trainingLoss(graph: ModelGraph, batchSize: number, seqLen: number): Tensor {
  const { b } = graph.ctx;
  return b.div(b.reduceSum(graph.trained), batchSize * seqLen);
}
