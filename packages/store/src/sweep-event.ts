import { z } from 'zod';
import { RUN_STATES, SWEEP_STATES } from './schema.js';

// The sweep events: rows of the `events` table, and the `data` of GET /api/sweeps/:id/events (a public
// contract). One schema per kind; the TypeScript types and the OpenAPI document are derived from them.

const count = z.number().int().nonnegative();
const finite = z.number();

/** Runs of a sweep per state (states without runs are absent). */
export const runCountsSchema = z.partialRecord(z.enum(RUN_STATES), count);

/** A sweep was submitted (again: `created` false), changed state, or was cancelled. */
export const sweepPayloadSchema = z.object({
  state: z.enum(SWEEP_STATES),
  /** Present on a submission. */
  submitted: z.literal(true).optional(),
  /** On a submission: false when the same spec was stored before and the sweep resumes. */
  created: z.boolean().optional(),
  /** On a submission the number of planned runs; on a state change the runs per state. */
  runs: z.union([count, runCountsSchema]).optional(),
});

/**
 * What a finished run reported: the planner's RunResult (its schema is the planner's, which the store may
 * not import), named here by the one field every reader uses.
 */
const runResultPayloadSchema = z.looseObject({
  /** The valid bound in nats per token. */
  valLoss: finite,
});

/** A run changed state; the fields present depend on the change. */
export const runPayloadSchema = z.object({
  runId: z.string(),
  state: z.enum(RUN_STATES),
  /** running: the worker that picked it up, and its attempt. */
  worker: z.string().optional(),
  attempt: count.optional(),
  /** done: what it reported. */
  result: runResultPayloadSchema.optional(),
  /** failed, diverged (and cancelled by a worker): `CODE: message`. */
  error: z.string().optional(),
  divergedStep: count.optional(),
  /** queued again: why (e.g. stalled). */
  reason: z.string().optional(),
});

/**
 * A worker's report, as the queue delivers it: `start` (worker, attempt), a training step, or an
 * evaluation. Losses are null where a diverging step's NaN went through JSON. `replayed`: a resumed run
 * reporting again what its checkpoint holds (the step's metric row is the same).
 */
export const progressPayloadSchema = z.discriminatedUnion('kind', [
  z.looseObject({
    kind: z.literal('start'),
    runId: z.string(),
    worker: z.string(),
    attempt: count,
  }),
  z.looseObject({
    kind: z.literal('train'),
    runId: z.string(),
    step: count,
    steps: count,
    tokens: finite,
    loss: finite.nullable(),
    lr: finite,
    tokensPerSecond: finite,
    gradNorm: finite.nullable(),
    replayed: z.literal(true).optional(),
  }),
  z.looseObject({
    kind: z.literal('eval'),
    runId: z.string(),
    step: count,
    tokens: finite,
    valLoss: finite.nullable(),
    valLossStdErr: finite.nullable(),
    primeObjective: finite.nullable().optional(),
    primeObjectiveStdErr: finite.nullable().optional(),
    replayed: z.literal(true).optional(),
  }),
]);

/** A new fit of the sweep is stored. */
export const fitPayloadSchema = z.object({
  fitId: count,
  fingerprint: z.string(),
  runCount: count,
});

/**
 * What the adaptive decision step decided: a run it added (with its rule, code and reason), a limit that
 * stopped a rule, or that it settled (every run ended, nothing more to add).
 */
export const decisionPayloadSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('add'),
    runId: z.string(),
    variant: z.string(),
    budgetFlops: finite,
    params: finite,
    tokens: finite,
    rule: z.string(),
    code: z.string(),
    message: z.string(),
  }),
  z.object({
    type: z.literal('limit'),
    rule: z.string(),
    code: z.string(),
    variant: z.string(),
    budgetFlops: finite.optional(),
    message: z.string(),
  }),
  z.object({ type: z.literal('settled'), runs: count, message: z.string() }),
]);

const eventRow = {
  id: count,
  sweepId: z.string(),
  runId: z.string().nullable(),
  createdAt: count,
};

/** A stored event, keyed by kind: what the event stream sends as `data`. */
export const sweepEventSchema = z.discriminatedUnion('kind', [
  z.object({ ...eventRow, kind: z.literal('sweep'), payload: sweepPayloadSchema }),
  z.object({ ...eventRow, kind: z.literal('run'), payload: runPayloadSchema }),
  z.object({ ...eventRow, kind: z.literal('progress'), payload: progressPayloadSchema }),
  z.object({ ...eventRow, kind: z.literal('fit'), payload: fitPayloadSchema }),
  z.object({ ...eventRow, kind: z.literal('decision'), payload: decisionPayloadSchema }),
]);
export type SweepEvent = z.infer<typeof sweepEventSchema>;
export type SweepEventOf<K extends SweepEvent['kind']> = Extract<SweepEvent, { kind: K }>;
export type SweepEventPayload<K extends SweepEvent['kind']> = SweepEventOf<K>['payload'];

/** An event to append: its kind and payload, the sweep, and the run it is about (if any). */
export type NewSweepEvent = {
  [K in SweepEvent['kind']]: {
    sweepId: string;
    runId?: string | undefined;
    kind: K;
    payload: SweepEventPayload<K>;
  };
}[SweepEvent['kind']];

/** The stored event (the event stream's `data`) as JSON Schema (draft 2020-12), for the OpenAPI document. */
export function sweepEventJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(sweepEventSchema, { target: 'draft-2020-12' }),
    title: 'isoflop sweep event',
  };
}
