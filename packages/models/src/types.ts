// The model-facing slice of the planner's RunSpec. Declared here (structurally identical to the planner's
// types) because the planner imports this package for parameter counts, so models cannot import planner.

export type Family = 'arm' | 'mdm' | 'mdm-prime-v2';
export type Precision = 'fp32' | 'mixed';
export type PrimeEmbedding = 'cat-share' | 'sum';
export type PrimeObjective = 'published' | 'nelbo';

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
  /** Sub-tokens per token l, with base^length >= vocabSize. */
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
