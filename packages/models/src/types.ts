// The model vocabulary: the families, their options, the backbone shape and the precision. Declared here,
// once; the planner imports it into RunSpec (it imports this package for parameter counts anyway).

/** The three model families compared on IsoFLOP curves. */
export const FAMILIES = ['arm', 'mdm', 'mdm-prime-v2'] as const;
export type Family = (typeof FAMILIES)[number];

/**
 * fp32: float32 throughout (on CUDA with TF32 off: the reference). tf32: the fp32 graph with CUDA's TF32
 * tensor-core matrix products (CUDA only; TF32 is a math mode, not a graph change). mixed: fp16 matmuls
 * and activations, fp32 master weights and optimiser state, a static loss scale.
 */
export const PRECISIONS = ['fp32', 'tf32', 'mixed'] as const;
export type Precision = (typeof PRECISIONS)[number];

export const PRIME_EMBEDDINGS = ['cat-share', 'sum'] as const;
export type PrimeEmbedding = (typeof PRIME_EMBEDDINGS)[number];

export const PRIME_OBJECTIVES = ['published', 'nelbo'] as const;
export type PrimeObjective = (typeof PRIME_OBJECTIVES)[number];

export interface ModelShape {
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** SwiGLU hidden width. */
  ffnHidden: number;
  vocabSize: number;
  seqLen: number;
}

export interface MdmOptions {
  /** t is drawn in [eps, 1]; the loss weight 1/t is at most 1/eps. */
  eps: number;
}

export interface PrimeOptions {
  /** Sub-token base b (2 for MDM-Prime-v2). */
  base: number;
  /** Sub-tokens per token l = ceil(log_b V), with base^length >= vocabSize (the planner resolves it). */
  length: number;
  shuffle: boolean;
  shuffleSeed: number;
  embedding: PrimeEmbedding;
  objective: PrimeObjective;
  /** t is drawn in [eps, 1]; defaults to 1e-3 like MDM. */
  eps?: number;
}

export interface ModelConfig {
  family: Family;
  shape: ModelShape;
  mdm?: MdmOptions;
  prime?: PrimeOptions;
  precision: Precision;
}

/** AdamW and clipping constants baked into the step graph; the learning rate is fed per step. */
export interface OptimizerConstants {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  gradClip: number;
}
