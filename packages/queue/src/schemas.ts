import {
  evalProgressEventSchema,
  runResultSchema,
  runSpecSchema,
  trainProgressEventSchema,
  type RunResult,
} from '@isoflop/planner';
import { z } from 'zod';
import { QueueError, type QueueErrorCode } from './errors.js';

const finite = z.number().finite();

/** The payload of a TRAIN_RUN job. */
export const trainJobPayloadSchema = z.object({ run: runSpecSchema });
export type TrainJobPayload = z.infer<typeof trainJobPayloadSchema>;

/**
 * Job progress: the planner's ProgressEvent, plus 'start', sent by the worker when it picks a run up
 * (which worker, which attempt). Losses may be null: a diverging run's NaN turns into null in JSON.
 */
export const trainProgressSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('start'),
    runId: z.string(),
    worker: z.string(),
    attempt: z.number().int().positive(),
  }),
  trainProgressEventSchema.extend({ loss: finite.nullable(), gradNorm: finite.nullable() }),
  evalProgressEventSchema.extend({
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
