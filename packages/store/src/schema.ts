import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * `failed`: every run has ended and each one failed (none trained to a result, none diverged, which is a
 * finding of its own), so the sweep has nothing to fit.
 */
export const SWEEP_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type SweepState = (typeof SWEEP_STATES)[number];

export const RUN_STATES = [
  'planned',
  'queued',
  'running',
  'done',
  'failed',
  'diverged',
  'cancelled',
] as const;
export type RunState = (typeof RUN_STATES)[number];

/** States a run does not leave on its own: a result, a permanent failure, or a user's cancel. */
export const TERMINAL_RUN_STATES = [
  'done',
  'failed',
  'diverged',
  'cancelled',
] as const satisfies readonly RunState[];

/** States of a run that is waiting or training: the complement of TERMINAL_RUN_STATES. */
export const UNFINISHED_RUN_STATES = [
  'planned',
  'queued',
  'running',
] as const satisfies readonly RunState[];

/**
 * States of a run that has its outcome on the IsoFLOP grid: a result, or a divergence (that size diverges
 * at that budget, which training it again would not change). Resubmitting a sweep never trains these.
 */
export const RUN_STATES_WITH_RESULT = ['done', 'diverged'] as const satisfies readonly RunState[];

/** States a sweep does not leave on its own. */
export const FINAL_SWEEP_STATES = [
  'done',
  'failed',
  'cancelled',
] as const satisfies readonly SweepState[];

/** Whether `state` is one of `states` (narrowing, for the readonly tuples above). */
export function isStateIn<S extends string>(states: readonly S[], state: string): state is S {
  return (states as readonly string[]).includes(state);
}

const now = sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`;

/** One submitted sweep spec. The id is a hash of the canonical spec, so resubmitting it resumes. */
export const sweeps = sqliteTable(
  'sweeps',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    state: text('state', { enum: SWEEP_STATES }).notNull(),
    /** The spec as the user wrote it, and its format, for display and export. */
    specText: text('spec_text').notNull(),
    specFormat: text('spec_format', { enum: ['yaml', 'json'] }).notNull(),
    /** The validated spec as canonical JSON (what the id hashes). */
    spec: text('spec', { mode: 'json' }).notNull(),
    runCount: integer('run_count').notNull(),
    /** Sizes the planner dropped, with reasons. */
    dropped: text('dropped', { mode: 'json' }).notNull(),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
    finishedAt: integer('finished_at'),
  },
  (table) => [index('sweeps_created_at').on(table.createdAt)],
);

/**
 * One planned run of a sweep. Run ids hash the run's settings (not the sweep name), so two sweeps that
 * plan the same run share its training; each sweep still has its own row.
 */
export const runs = sqliteTable(
  'runs',
  {
    sweepId: text('sweep_id')
      .notNull()
      .references(() => sweeps.id),
    id: text('id').notNull(),
    family: text('family').notNull(),
    budgetFlops: real('budget_flops').notNull(),
    achievedFlops: real('achieved_flops').notNull(),
    params: real('params').notNull(),
    exactParams: real('exact_params').notNull(),
    tokens: real('tokens').notNull(),
    steps: integer('steps').notNull(),
    batchSize: integer('batch_size').notNull(),
    dModel: integer('d_model').notNull(),
    nLayers: integer('n_layers').notNull(),
    nHeads: integer('n_heads').notNull(),
    seqLen: integer('seq_len').notNull(),
    /** The full RunSpec the worker receives. */
    spec: text('spec', { mode: 'json' }).notNull(),
    state: text('state', { enum: RUN_STATES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    worker: text('worker'),
    error: text('error'),
    divergedStep: integer('diverged_step'),
    /** The last training step reported, for progress display. */
    lastStep: integer('last_step'),
    queuedAt: integer('queued_at'),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    wallSeconds: real('wall_seconds'),
    /** The family's valid bound on NLL per token (ARM exact NLL, MDM NELBO, Prime K). */
    valLoss: real('val_loss'),
    valLossStdErr: real('val_loss_std_err'),
    /** MDM-Prime-v2's J, an objective rather than a bound. */
    primeObjective: real('prime_objective'),
    primeObjectiveStdErr: real('prime_objective_std_err'),
    finalTrainLoss: real('final_train_loss'),
    trainedSteps: integer('trained_steps'),
    trainedTokens: real('trained_tokens'),
    tokensPerSecond: real('tokens_per_second'),
  },
  (table) => [
    primaryKey({ columns: [table.sweepId, table.id] }),
    index('runs_id').on(table.id),
    index('runs_sweep_state').on(table.sweepId, table.state),
  ],
);

export const METRIC_KINDS = ['train', 'eval'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

/**
 * Per-step training and per-evaluation validation metrics of a run. A retried run repeats the steps after
 * its last checkpoint; the primary key keeps one row per step (the latest attempt's). No surrogate id: the
 * ingest path then maintains one index fewer and no AUTOINCREMENT counter.
 */
export const metrics = sqliteTable(
  'metrics',
  {
    runId: text('run_id').notNull(),
    kind: text('kind', { enum: METRIC_KINDS }).notNull(),
    step: integer('step').notNull(),
    tokens: real('tokens').notNull(),
    loss: real('loss'),
    lr: real('lr'),
    tokensPerSecond: real('tokens_per_second'),
    gradNorm: real('grad_norm'),
    valLoss: real('val_loss'),
    valLossStdErr: real('val_loss_std_err'),
    primeObjective: real('prime_objective'),
    primeObjectiveStdErr: real('prime_objective_std_err'),
    recordedAt: integer('recorded_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.runId, table.kind, table.step] })],
);

/** Each fit of a sweep, with the rows it was computed from; the newest is the current one. */
export const fits = sqliteTable(
  'fits',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sweepId: text('sweep_id')
      .notNull()
      .references(() => sweeps.id),
    document: text('document', { mode: 'json' }).notNull(),
    data: text('data', { mode: 'json' }).notNull(),
    runCount: integer('run_count').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (table) => [index('fits_sweep').on(table.sweepId, table.id)],
);

/** 'decision': what the adaptive planning step decided (a run added, a limit reached), with its reason. */
export const EVENT_KINDS = ['sweep', 'run', 'progress', 'fit', 'decision'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Append-only event log; the autoincrement id is the SSE event id, so Last-Event-ID replay loses nothing. */
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sweepId: text('sweep_id').notNull(),
    runId: text('run_id'),
    kind: text('kind', { enum: EVENT_KINDS }).notNull(),
    payload: text('payload', { mode: 'json' }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [index('events_sweep_id').on(table.sweepId, table.id)],
);

/** Small named positions, e.g. the last queue-event stream id the coordinator has recorded. */
export const cursors = sqliteTable('cursors', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});
