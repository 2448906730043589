import type { Family, ModelConfig, ModelShape, PrimeOptions } from './types.js';
import { validateModelConfig, validateShape } from './validate-config.js';

export interface ParamCounts {
  /** The paper's convention: 12·d²·n_layers (ignores norms and the SwiGLU width). */
  paper: number;
  /** Every non-embedding weight: attention, SwiGLU, RMSNorm gains, QK-norm gains, the final norm. */
  exactNonEmbedding: number;
  /** Input embedding table(s) plus the untied V-way output head. */
  embedding: number;
  total: number;
}

export interface EmbeddingLayout {
  family?: Family;
  prime?: Pick<PrimeOptions, 'base' | 'length' | 'embedding'>;
}

function inputEmbeddingParams(shape: ModelShape, layout: EmbeddingLayout): number {
  const d = shape.dModel;
  switch (layout.family ?? 'arm') {
    case 'arm':
      return shape.vocabSize * d;
    case 'mdm':
      // One extra row for the mask id V.
      return (shape.vocabSize + 1) * d;
    case 'mdm-prime-v2': {
      const prime = layout.prime ?? { base: 2, length: 1, embedding: 'cat-share' as const };
      const rows = prime.base + 1;
      return prime.embedding === 'cat-share' ? (rows * d) / prime.length : prime.length * rows * d;
    }
  }
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
  const embedding = inputEmbeddingParams(shape, layout) + shape.vocabSize * d;
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
  const prime = config.family === 'mdm-prime-v2' ? config.prime : undefined;
  const digitTable =
    prime?.objective === 'nelbo' ? 6 * prime.length * prime.base * shape.vocabSize : 0;
  return (6 * matmulWeights + attention + digitTable) * tokens;
}
