import { and, asc, desc, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { runs, type RunState } from '../schema.js';

/**
 * The variant a run was trained as: the spec key it came from (several variants of one family may share
 * a sweep), the family for runs planned before variants existed.
 */
const variantColumn = sql<string>`coalesce(json_extract(${runs.spec}, '$.variant'), ${runs.family})`;

const runColumns = {
  id: runs.id,
  sweepId: runs.sweepId,
  family: runs.family,
  variant: variantColumn,
  budgetFlops: runs.budgetFlops,
  achievedFlops: runs.achievedFlops,
  params: runs.params,
  exactParams: runs.exactParams,
  tokens: runs.tokens,
  steps: runs.steps,
  batchSize: runs.batchSize,
  dModel: runs.dModel,
  nLayers: runs.nLayers,
  nHeads: runs.nHeads,
  seqLen: runs.seqLen,
  state: runs.state,
  attempts: runs.attempts,
  worker: runs.worker,
  error: runs.error,
  divergedStep: runs.divergedStep,
  lastStep: runs.lastStep,
  queuedAt: runs.queuedAt,
  startedAt: runs.startedAt,
  finishedAt: runs.finishedAt,
  wallSeconds: runs.wallSeconds,
  valLoss: runs.valLoss,
  valLossStdErr: runs.valLossStdErr,
  primeObjective: runs.primeObjective,
  primeObjectiveStdErr: runs.primeObjectiveStdErr,
  finalTrainLoss: runs.finalTrainLoss,
  trainedSteps: runs.trainedSteps,
  trainedTokens: runs.trainedTokens,
  tokensPerSecond: runs.tokensPerSecond,
};

/** A run's row without its full RunSpec: shape, grid position, state, progress and results. */
export type RunListItem = Pick<
  typeof runs.$inferSelect,
  Exclude<keyof typeof runColumns, 'variant'>
> & {
  /** The spec key the run was planned from; fits, charts and exports group by it. */
  variant: string;
};

export interface RunDetail extends RunListItem {
  spec: unknown;
}

/** The columns a page of runs can be sorted by (the runs table's columns). */
export const RUN_SORT_KEYS = [
  'id',
  'variant',
  'state',
  'budgetFlops',
  'params',
  'shape',
  'tokens',
  'steps',
  'valLoss',
  'primeObjective',
] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

/** What each sort key orders by; the shape sorts by width, then depth, then heads. */
const SORT_COLUMNS: Record<RunSortKey, SQLWrapper[]> = {
  id: [runs.id],
  variant: [variantColumn],
  state: [runs.state],
  budgetFlops: [runs.budgetFlops],
  params: [runs.params],
  shape: [runs.dModel, runs.nLayers, runs.nHeads],
  tokens: [runs.tokens],
  steps: [runs.steps],
  valLoss: [runs.valLoss],
  primeObjective: [runs.primeObjective],
};

export interface ListRunsOptions {
  family?: string;
  variant?: string;
  state?: RunState;
  budgetFlops?: number;
  /** Text the run id contains, in any case. */
  idContains?: string;
  /** Sorted by this column, missing values (no result yet) last either way; grid order otherwise. */
  sort?: RunSortKey;
  desc?: boolean;
  limit: number;
  offset: number;
}

export interface RunPage {
  total: number;
  runs: RunListItem[];
}

/** Runs in grid order (family, budget, size), so pages are stable while states change. */
const gridOrder = [asc(runs.family), asc(runs.budgetFlops), asc(runs.params), asc(runs.id)];

/**
 * One page of a sweep's runs, filtered by family, variant, state, budget and text in the id, in grid
 * order or sorted by a column (ties keep grid order, so pages stay stable).
 */
export function listRuns(store: Store, sweepId: string, options: ListRunsOptions): RunPage {
  const filters: SQL[] = [eq(runs.sweepId, sweepId)];
  if (options.family !== undefined) filters.push(eq(runs.family, options.family));
  if (options.variant !== undefined) filters.push(eq(variantColumn, options.variant));
  if (options.state !== undefined) filters.push(eq(runs.state, options.state));
  if (options.budgetFlops !== undefined) filters.push(eq(runs.budgetFlops, options.budgetFlops));
  if (options.idContains !== undefined && options.idContains !== '') {
    filters.push(sql`instr(lower(${runs.id}), lower(${options.idContains})) > 0`);
  }
  const where = and(...filters);
  const direction = options.desc ? desc : asc;
  const sorted =
    options.sort === undefined
      ? []
      : SORT_COLUMNS[options.sort].flatMap((column) => [sql`${column} IS NULL`, direction(column)]);
  const total =
    store.db
      .select({ count: sql<number>`count(*)` })
      .from(runs)
      .where(where)
      .get()?.count ?? 0;
  const page = store.db
    .select(runColumns)
    .from(runs)
    .where(where)
    .orderBy(...sorted, ...gridOrder)
    .limit(options.limit)
    .offset(options.offset)
    .all();
  return { total, runs: page };
}

/** The budgets a sweep's runs were planned at, smallest first. */
export function sweepBudgets(store: Store, sweepId: string): number[] {
  return store.db
    .selectDistinct({ budget: runs.budgetFlops })
    .from(runs)
    .where(eq(runs.sweepId, sweepId))
    .orderBy(asc(runs.budgetFlops))
    .all()
    .map((row) => row.budget);
}

/** Every run of a sweep in grid order: for charts, fits and exports. */
export function sweepRuns(store: Store, sweepId: string): RunListItem[] {
  return store.db
    .select(runColumns)
    .from(runs)
    .where(eq(runs.sweepId, sweepId))
    .orderBy(...gridOrder)
    .all();
}

/** One run of a sweep with its full RunSpec, or undefined. */
export function getRun(store: Store, sweepId: string, runId: string): RunDetail | undefined {
  return store.db
    .select({ ...runColumns, spec: runs.spec })
    .from(runs)
    .where(and(eq(runs.sweepId, sweepId), eq(runs.id, runId)))
    .get();
}

/** The few columns a chart draws a run from. */
export interface RunPoint {
  id: string;
  family: string;
  variant: string;
  budgetFlops: number;
  params: number;
  tokens: number;
  achievedFlops: number;
  steps: number;
  state: RunState;
  valLoss: number | null;
  primeObjective: number | null;
}

/** Every run of a sweep with only what charts need: a 10,000-run sweep reads in a fraction of the time. */
export function sweepRunPoints(store: Store, sweepId: string): RunPoint[] {
  return store.db
    .select({
      id: runs.id,
      family: runs.family,
      variant: variantColumn,
      budgetFlops: runs.budgetFlops,
      params: runs.params,
      tokens: runs.tokens,
      achievedFlops: runs.achievedFlops,
      steps: runs.steps,
      state: runs.state,
      valLoss: runs.valLoss,
      primeObjective: runs.primeObjective,
    })
    .from(runs)
    .where(eq(runs.sweepId, sweepId))
    .orderBy(...gridOrder)
    .all();
}

/** The variants (spec keys) a sweep's runs were planned from, by family then name. */
export function sweepVariants(store: Store, sweepId: string): string[] {
  return store.db
    .selectDistinct({ family: runs.family, variant: variantColumn })
    .from(runs)
    .where(eq(runs.sweepId, sweepId))
    .orderBy(asc(runs.family), asc(variantColumn))
    .all()
    .map((row) => row.variant);
}
