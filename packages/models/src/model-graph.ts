import { GraphBuilder, type OpTarget, type Tensor } from '@isoflop/graph';
import type { FloatType } from './feed-inputs.js';
import type { FamilyRowSums } from './families/family-module.js';
import { familyModule } from './families/family-table.js';
import { GraphContext } from './internal/graph-context.js';
import { applyBackbone, declareBackbone } from './transformer.js';
import type { ModelConfig } from './types.js';

export interface ModelGraph extends FamilyRowSums {
  ctx: GraphContext;
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
  const family = familyModule(config.family);
  const ctx = new GraphContext(
    new GraphBuilder({ dtype: floatType, name: `isoflop-${config.family}-${purpose}`, target }),
  );
  const table = family.declareInputEmbedding(ctx, config);
  const weights = declareBackbone(ctx, config.shape);
  // Float64 builds (gradient checks) of a mixed config stay exact.
  const halfMatmuls = config.precision === 'mixed' && floatType === 'float32';
  const forward = (ids: Tensor): Tensor =>
    applyBackbone(ctx, config.shape, weights, family.embedInputs(ctx, config, table, ids), {
      causal: family.causal,
      halfMatmuls,
    });
  return { ctx, ...family.rowSums(ctx, config, batchSize, purpose, forward) };
}

/** The scalar training loss: the trained objective's sum over the batch / (B·T), in nats per token. */
export function trainingLoss(graph: ModelGraph, batchSize: number, seqLen: number): Tensor {
  const { b } = graph.ctx;
  return b.div(b.reduceSum(graph.trained), batchSize * seqLen);
}
