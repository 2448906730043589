import { familyModule } from './families/family-table.js';
import type { EmbeddingLayout } from './families/family-module.js';
import type { ModelConfig, ModelShape } from './types.js';
import { validateModelConfig, validateShape } from './validate-config.js';

export type { EmbeddingLayout };

export interface ParamCounts {
  /** The paper's convention: 12·d²·n_layers (ignores norms and the SwiGLU width). */
  paper: number;
  /** Every non-embedding weight: attention, SwiGLU, RMSNorm gains, QK-norm gains, the final norm. */
  exactNonEmbedding: number;
  /** Input embedding table(s) plus the untied V-way output head. */
  embedding: number;
  total: number;
}

/**
 * Parameter counts of the LLaMA-style backbone (paper-notes 7.1, 7.3): full multi-head attention without
 * biases, QK-norm gains of one head width shared by all heads, SwiGLU (gate, up, down), two RMSNorms per
 * layer and a final RMSNorm. Embeddings depend on the family; the default layout is the ARM's.
 */
export function countParams(shape: ModelShape, layout: EmbeddingLayout = {}): ParamCounts {
  validateShape(shape);
  const d = shape.dModel;
  const headDim = d / shape.nHeads;
  const perLayer = 4 * d * d + 3 * d * shape.ffnHidden + 2 * d + 2 * headDim;
  const exactNonEmbedding = shape.nLayers * perLayer + d;
  const embedding =
    familyModule(layout.family ?? 'arm').inputEmbeddingParams(shape, layout) + shape.vocabSize * d;
  return {
    paper: 12 * d * d * shape.nLayers,
    exactNonEmbedding,
    embedding,
    total: exactNonEmbedding + embedding,
  };
}

/**
 * Training FLOPs of one optimizer step, as executed: 6 per weight per token for every matmul weight
 * (non-embedding weights and the output head; embedding lookups are gathers), plus the attention
 * score and value products, 12·n_layers·T·d per token (forward 4·T·d, backward twice that; the full
 * T×T matrix is computed for causal attention too, so it is not halved). Prime trained on K adds its
 * two products with the [V, l·b] digit table: 4·l·b·V forward, 2·l·b·V backward per token.
 */
export function flopsPerStep(config: ModelConfig, batchSize: number): number {
  validateModelConfig(config);
  const { shape } = config;
  const counts = countParams(shape, config);
  const tokens = batchSize * shape.seqLen;
  const matmulWeights = counts.exactNonEmbedding + shape.vocabSize * shape.dModel;
  const attention = 12 * shape.nLayers * shape.seqLen * shape.dModel;
  const familyFlops = familyModule(config.family).extraFlopsPerToken(config);
  return (6 * matmulWeights + attention + familyFlops) * tokens;
}
