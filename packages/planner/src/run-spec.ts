import {
  FAMILIES,
  PRECISIONS,
  PRIME_EMBEDDINGS,
  PRIME_OBJECTIVES,
  type Family,
  type MdmOptions,
  type ModelShape,
  type PrimeOptions,
} from '@isoflop/models';
import { z } from 'zod';

// The model vocabulary is @isoflop/models'; the planner builds runs from it and re-exports it, so that a
// consumer of runs needs one import.
export {
  FAMILIES,
  PRECISIONS,
  type Family,
  type MdmOptions,
  type ModelShape,
  type Precision,
  type PrimeOptions,
} from '@isoflop/models';

export const DEVICES = ['cpu', 'webgpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

/** paper: N = 12·d²·n_layers (the paper's convention); exact: the exact non-embedding count. */
export const PARAM_CONVENTIONS = ['paper', 'exact'] as const;
export type ParamConvention = (typeof PARAM_CONVENTIONS)[number];

const finite = z.number().finite();
const count = z.number().int().nonnegative();

const mdmOptionsSchema = z.object({ eps: finite }) satisfies z.ZodType<MdmOptions>;

const primeOptionsSchema = z.object({
  base: count,
  length: count,
  shuffle: z.boolean(),
  shuffleSeed: count,
  embedding: z.enum(PRIME_EMBEDDINGS),
  objective: z.enum(PRIME_OBJECTIVES),
  eps: finite.optional(),
}) satisfies z.ZodType<PrimeOptions>;

const modelShapeSchema = z.object({
  dModel: count,
  nLayers: count,
  nHeads: count,
  ffnHidden: count,
  vocabSize: count,
  seqLen: count,
}) satisfies z.ZodType<ModelShape>;

/** AdamW with linear warmup, then cosine decay to minLr. */
const optimizerSpecSchema = z.object({
  lr: finite,
  minLr: finite,
  warmupSteps: count,
  beta1: finite,
  beta2: finite,
  eps: finite,
  weightDecay: finite,
  gradClip: finite,
});
export type OptimizerSpec = z.infer<typeof optimizerSpecSchema>;

const corpusSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sotu') }),
  z.object({ kind: z.literal('text'), paths: z.array(z.string()) }),
  z.object({ kind: z.literal('jsonl'), paths: z.array(z.string()), field: z.string() }),
  z.object({
    kind: z.literal('shards'),
    train: z.string(),
    val: z.string(),
    dtype: z.enum(['uint16', 'uint32']),
    vocabSize: count,
  }),
]);
export type CorpusSpec = z.infer<typeof corpusSpecSchema>;

const tokenizerSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('gpt2') }),
  z.object({ kind: z.literal('bpe'), vocabSize: count }),
  z.object({ kind: z.literal('none') }),
]);
export type TokenizerSpec = z.infer<typeof tokenizerSpecSchema>;

const dataSpecSchema = z.object({
  corpus: corpusSpecSchema,
  tokenizer: tokenizerSpecSchema,
  valFraction: finite,
});
export type DataSpec = z.infer<typeof dataSpecSchema>;

/** Evaluate on `tokens` held-out tokens every `every` steps (and at the end), drawn with `seed`. */
const evalSpecSchema = z.object({ tokens: count, every: count, seed: count });
export type EvalSpec = z.infer<typeof evalSpecSchema>;

/**
 * One training run: everything a worker needs, with no reference back to the sweep spec. The schema is
 * the type (RunSpec is inferred from it), and the queue checks every job payload against it.
 */
export const runSpecSchema = z.object({
  /** Stable hash of every field but `sweepName`: resubmitting a spec never duplicates work. */
  id: z.string().min(1),
  sweepName: z.string(),
  family: z.enum(FAMILIES),
  /**
   * The spec's key under `families`: the family name itself, or a named variant of it (e.g. `prime-k8`).
   * Fits, charts and exports group runs by variant.
   */
  variant: z.string().min(1),
  /** Present for family 'mdm'. */
  mdm: mdmOptionsSchema.optional(),
  /** Present for family 'mdm-prime-v2'. */
  prime: primeOptionsSchema.optional(),
  /** The target compute C. */
  budgetFlops: finite,
  /** 6·params·tokens after rounding to whole steps. */
  achievedFlops: finite,
  /** N under paramConvention. */
  params: finite,
  paramConvention: z.enum(PARAM_CONVENTIONS),
  /** Exact non-embedding parameter count. */
  exactParams: finite,
  /** D = steps·batchSize·seqLen. */
  tokens: finite,
  steps: count,
  batchSize: count,
  shape: modelShapeSchema,
  optimizer: optimizerSpecSchema,
  data: dataSpecSchema,
  eval: evalSpecSchema,
  device: z.enum(DEVICES),
  precision: z.enum(PRECISIONS),
  seed: count,
  /** Checkpoint every this many steps. */
  checkpointEvery: count,
  /**
   * Optimizer steps per ONNX Runtime `run` (the trainer's K; its device default when absent). How a run
   * executes, not what it computes: not part of the run id.
   */
  stepsPerRun: count.min(1).optional(),
});
export type RunSpec = z.infer<typeof runSpecSchema>;

/**
 * What a finished run returns (the trainer's return value, the job's return value in the queue). NaN
 * never reaches here: a diverged run fails instead.
 */
export const runResultSchema = z.object({
  runId: z.string(),
  family: z.enum(FAMILIES),
  /** The valid bound in nats per token: ARM exact NLL, MDM NELBO, Prime K. */
  valLoss: finite,
  valLossStdErr: finite,
  /** Prime's J: a training objective, not a bound on the NLL. */
  primeObjective: finite.optional(),
  primeObjectiveStdErr: finite.optional(),
  finalTrainLoss: finite,
  steps: count,
  tokens: finite,
  wallSeconds: finite,
  tokensPerSecond: finite,
});
export type RunResult = z.infer<typeof runResultSchema>;

/** A training step's report. `loss` and `gradNorm` are NaN on a diverging step. */
export const trainProgressEventSchema = z.object({
  kind: z.literal('train'),
  runId: z.string(),
  step: count,
  steps: count,
  tokens: finite,
  loss: z.number(),
  lr: finite,
  tokensPerSecond: finite,
  gradNorm: z.number(),
  replayed: z.literal(true).optional(),
});

/** An evaluation's report: the valid bound (and Prime's J) on held-out tokens, NaN when it diverged. */
export const evalProgressEventSchema = z.object({
  kind: z.literal('eval'),
  runId: z.string(),
  step: count,
  tokens: finite,
  valLoss: z.number(),
  valLossStdErr: z.number(),
  primeObjective: z.number().optional(),
  primeObjectiveStdErr: z.number().optional(),
  replayed: z.literal(true).optional(),
});

/**
 * What the trainer reports while it runs (the worker forwards these as job progress). A run resumed from a
 * checkpoint first reports again, marked `replayed`, every event up to the checkpoint's step: the attempt
 * that wrote the checkpoint may have died before its reports reached the store. Consumers key them by run,
 * kind and step, so a replay changes nothing that arrived before.
 */
export const progressEventSchema = z.discriminatedUnion('kind', [
  trainProgressEventSchema,
  evalProgressEventSchema,
]);
export type ProgressEvent = z.infer<typeof progressEventSchema>;

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
