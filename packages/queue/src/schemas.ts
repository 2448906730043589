import { DEVICES, FAMILIES, PARAM_CONVENTIONS, PRECISIONS, type RunSpec } from '@isoflop/planner';
import { z } from 'zod';
import { QueueError, type QueueErrorCode } from './errors.js';

const finite = z.number().finite();
const count = z.number().int().nonnegative();

const corpusSchema = z.discriminatedUnion('kind', [
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

const tokenizerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('gpt2') }),
  z.object({ kind: z.literal('bpe'), vocabSize: count }),
  z.object({ kind: z.literal('none') }),
]);

/** A RunSpec as it travels through Redis (the planner's type, checked at the worker's boundary). */
export const runSpecSchema = z.object({
  id: z.string().min(1),
  sweepName: z.string(),
  family: z.enum(FAMILIES),
  variant: z.string().min(1),
  mdm: z.object({ eps: finite }).optional(),
  prime: z
    .object({
      base: count,
      length: count,
      shuffle: z.boolean(),
      shuffleSeed: count,
      embedding: z.enum(['cat-share', 'sum']),
      objective: z.enum(['published', 'nelbo']),
      eps: finite.optional(),
    })
    .optional(),
  budgetFlops: finite,
  achievedFlops: finite,
  params: finite,
  paramConvention: z.enum(PARAM_CONVENTIONS),
  exactParams: finite,
  tokens: finite,
  steps: count,
  batchSize: count,
  shape: z.object({
    dModel: count,
    nLayers: count,
    nHeads: count,
    ffnHidden: count,
    vocabSize: count,
    seqLen: count,
  }),
  optimizer: z.object({
    lr: finite,
    minLr: finite,
    warmupSteps: count,
    beta1: finite,
    beta2: finite,
    eps: finite,
    weightDecay: finite,
    gradClip: finite,
  }),
  data: z.object({ corpus: corpusSchema, tokenizer: tokenizerSchema, valFraction: finite }),
  eval: z.object({ tokens: count, every: count, seed: count }),
  device: z.enum(DEVICES),
  precision: z.enum(PRECISIONS),
  seed: count,
  checkpointEvery: count,
}) satisfies z.ZodType<RunSpec>;

/** The payload of a TRAIN_RUN job. */
export const trainJobPayloadSchema = z.object({ run: runSpecSchema });
export type TrainJobPayload = z.infer<typeof trainJobPayloadSchema>;

/** The trainer's RunResult, the job's return value. NaN never reaches here: JSON would make it null. */
export const runResultSchema = z.object({
  runId: z.string(),
  family: z.enum(FAMILIES),
  valLoss: finite,
  valLossStdErr: finite,
  primeObjective: finite.optional(),
  primeObjectiveStdErr: finite.optional(),
  finalTrainLoss: finite,
  steps: count,
  tokens: finite,
  wallSeconds: finite,
  tokensPerSecond: finite,
});
export type RunResult = z.infer<typeof runResultSchema>;

/**
 * Job progress: the trainer's ProgressEvent, plus 'start', sent by the worker when it picks a run up
 * (which worker, which attempt). Losses may be null: a diverging run's NaN turns into null in JSON.
 */
export const trainProgressSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('start'),
    runId: z.string(),
    worker: z.string(),
    attempt: z.number().int().positive(),
  }),
  z.object({
    kind: z.literal('train'),
    runId: z.string(),
    step: count,
    steps: count,
    tokens: finite,
    loss: finite.nullable(),
    lr: finite,
    tokensPerSecond: finite,
    gradNorm: finite.nullable(),
  }),
  z.object({
    kind: z.literal('eval'),
    runId: z.string(),
    step: count,
    tokens: finite,
    valLoss: finite.nullable(),
    valLossStdErr: finite.nullable(),
    primeObjective: finite.nullable().optional(),
    primeObjectiveStdErr: finite.nullable().optional(),
  }),
]);
export type TrainProgress = z.infer<typeof trainProgressSchema>;

function parseWith<T>(schema: z.ZodType<T>, value: unknown, code: QueueErrorCode, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new QueueError(code, `invalid ${what}: ${issues}`, { cause: parsed.error });
}

export function parseTrainJobPayload(value: unknown): TrainJobPayload {
  return parseWith(trainJobPayloadSchema, value, 'INVALID_PAYLOAD', 'job payload');
}

export function parseRunResult(value: unknown): RunResult {
  return parseWith(runResultSchema, value, 'INVALID_RESULT', 'run result');
}

export function parseTrainProgress(value: unknown): TrainProgress {
  return parseWith(trainProgressSchema, value, 'INVALID_PROGRESS', 'job progress');
}
