/** The three model families compared on IsoFLOP curves. */
export const FAMILIES = ['arm', 'mdm', 'mdm-prime-v2'] as const;
export type Family = (typeof FAMILIES)[number];

export const DEVICES = ['cpu', 'webgpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

/** paper: N = 12·d²·n_layers (the paper's convention); exact: the exact non-embedding count. */
export const PARAM_CONVENTIONS = ['paper', 'exact'] as const;
export type ParamConvention = (typeof PARAM_CONVENTIONS)[number];

/** mixed: fp16 matmuls and activations, fp32 master weights and optimiser state. */
export const PRECISIONS = ['fp32', 'mixed'] as const;
export type Precision = (typeof PRECISIONS)[number];

export interface PrimeOptions {
  /** b, the sub-token base (2 for MDM-Prime-v2). */
  base: number;
  /** l = ceil(log_b V), resolved by the planner from the vocabulary size. */
  length: number;
  shuffle: boolean;
  shuffleSeed: number;
  embedding: 'cat-share' | 'sum';
  objective: 'published' | 'nelbo';
  /** Masking time t is drawn in [eps, 1] (default 1e-3, as for MDM). */
  eps?: number;
}

/** Masking time t is drawn in [eps, 1]. */
export interface MdmOptions {
  eps: number;
}

export interface ModelShape {
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** SwiGLU hidden width. */
  ffnHidden: number;
  vocabSize: number;
  seqLen: number;
}

/** AdamW with linear warmup, then cosine decay to minLr. */
export interface OptimizerSpec {
  lr: number;
  minLr: number;
  warmupSteps: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  gradClip: number;
}

export type CorpusSpec =
  | { kind: 'sotu' }
  | { kind: 'text'; paths: string[] }
  | { kind: 'jsonl'; paths: string[]; field: string }
  | { kind: 'shards'; train: string; val: string; dtype: 'uint16' | 'uint32'; vocabSize: number };

export type TokenizerSpec =
  { kind: 'gpt2' } | { kind: 'bpe'; vocabSize: number } | { kind: 'none' };

export interface DataSpec {
  corpus: CorpusSpec;
  tokenizer: TokenizerSpec;
  valFraction: number;
}

/** Evaluate on `tokens` held-out tokens every `every` steps (and at the end), drawn with `seed`. */
export interface EvalSpec {
  tokens: number;
  every: number;
  seed: number;
}

/** One training run: everything a worker needs, with no reference back to the sweep spec. */
export interface RunSpec {
  /** Stable hash of every field but `sweepName`: resubmitting a spec never duplicates work. */
  id: string;
  sweepName: string;
  family: Family;
  /**
   * The spec's key under `families`: the family name itself, or a named variant of it (e.g. `prime-k8`).
   * Fits, charts and exports group runs by variant.
   */
  variant: string;
  /** Present for family 'mdm'. */
  mdm?: MdmOptions;
  /** Present for family 'mdm-prime-v2'. */
  prime?: PrimeOptions;
  /** The target compute C. */
  budgetFlops: number;
  /** 6·params·tokens after rounding to whole steps. */
  achievedFlops: number;
  /** N under paramConvention. */
  params: number;
  paramConvention: ParamConvention;
  /** Exact non-embedding parameter count. */
  exactParams: number;
  /** D = steps·batchSize·seqLen. */
  tokens: number;
  steps: number;
  batchSize: number;
  shape: ModelShape;
  optimizer: OptimizerSpec;
  data: DataSpec;
  eval: EvalSpec;
  device: Device;
  precision: Precision;
  seed: number;
  /** Checkpoint every this many steps. */
  checkpointEvery: number;
}

/** A size the planner did not turn into a run, and why. */
export interface DroppedSize {
  family: Family;
  variant: string;
  budgetFlops: number;
  params: number;
  reason: string;
}

/** A run that was planned but deserves a look, e.g. its achieved compute is off the target by over 1%. */
export interface PlanWarning {
  runId: string;
  message: string;
}

export interface Plan {
  sweepName: string;
  runs: RunSpec[];
  dropped: DroppedSize[];
  warnings: PlanWarning[];
}
