import type { Approach2Estimator, FitDocument } from '@isoflop/fit';
import {
  findSweep,
  getSweep,
  latestFit,
  sweepRuns,
  type RunListItem,
  type Store,
  type SweepDetail,
} from '@isoflop/store';
import { listDecisions, type SweepDecision } from '../coordinator/decisions.js';
import { OrchestratorError } from '../errors.js';
import { fitFingerprint } from '../fits/fit-fingerprint.js';

/**
 * The columns of the exported runs table, in order: shape, grid position, tokens, FLOPs and losses, then
 * the variant and, for a run the adaptive step added, its rule and reason (empty for planned runs).
 */
export const EXPORT_COLUMNS = [
  'id',
  'family',
  'state',
  'budget_flops',
  'achieved_flops',
  'params',
  'exact_params',
  'tokens',
  'steps',
  'batch_size',
  'd_model',
  'n_layers',
  'n_heads',
  'seq_len',
  'val_loss',
  'val_loss_std_err',
  'prime_objective',
  'prime_objective_std_err',
  'final_train_loss',
  'trained_tokens',
  'wall_seconds',
  'tokens_per_second',
  'variant',
  'added_rule',
  'added_reason',
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export type ExportRun = Record<ExportColumn, string | number | null>;

/**
 * A stored sweep's export: its fit document at the top level, with the same keys as `isoflop fit --json`
 * (`families`, `efficiency`, ...), beside the sweep, which stored fit the document is, and the runs table.
 */
export interface SweepExport extends FitDocument {
  sweep: {
    id: string;
    name: string;
    state: string;
    runCount: number;
    createdAt: number;
    finishedAt: number | null;
  };
  /**
   * The stored fit the document comes from, and its Approach-2 estimator (fits stored before estimators
   * were named used the parabola); null (and an empty document) before any fit.
   */
  fit: {
    computedAt: number;
    runCount: number;
    fingerprint: string;
    estimator: Approach2Estimator;
  } | null;
  runs: ExportRun[];
  /** The adaptive step's decisions in the order taken (empty for a sweep without an `adaptive` block). */
  decisions: SweepDecision[];
}

const EMPTY_DOCUMENT: FitDocument = {
  families: {},
  efficiency: [],
  unfitted: [],
  rejected_rows: [],
  warnings: [],
};

function exportRun(run: RunListItem, added: ReadonlyMap<string, AddDecision>): ExportRun {
  const decision = added.get(run.id);
  return {
    id: run.id,
    family: run.family,
    state: run.state,
    budget_flops: run.budgetFlops,
    achieved_flops: run.achievedFlops,
    params: run.params,
    exact_params: run.exactParams,
    tokens: run.tokens,
    steps: run.steps,
    batch_size: run.batchSize,
    d_model: run.dModel,
    n_layers: run.nLayers,
    n_heads: run.nHeads,
    seq_len: run.seqLen,
    val_loss: run.valLoss,
    val_loss_std_err: run.valLossStdErr,
    prime_objective: run.primeObjective,
    prime_objective_std_err: run.primeObjectiveStdErr,
    final_train_loss: run.finalTrainLoss,
    trained_tokens: run.trainedTokens,
    wall_seconds: run.wallSeconds,
    tokens_per_second: run.tokensPerSecond,
    variant: run.variant,
    added_rule: decision ? `${decision.rule}/${decision.code}` : null,
    added_reason: decision?.message ?? null,
  };
}

/** The Approach-2 estimator of a stored fit document. */
function estimatorOf(document: FitDocument): Approach2Estimator {
  const approach2 = Object.values(document.families).find((f) => f.approach2)?.approach2;
  if (approach2?.estimator) return approach2.estimator;
  return approach2?.nearest_k === undefined ? 'parabola' : 'parabola-nearest';
}

type AddDecision = Extract<SweepDecision, { type: 'add' }>;

function buildExport(store: Store, sweep: SweepDetail): SweepExport {
  const fit = latestFit(store, sweep.id);
  const document = fit?.document as FitDocument | undefined;
  const decisions = listDecisions(store, sweep.id);
  const added = new Map<string, AddDecision>();
  for (const decision of decisions)
    if (decision.type === 'add') added.set(decision.runId, decision);
  return {
    ...(document ?? EMPTY_DOCUMENT),
    sweep: {
      id: sweep.id,
      name: sweep.name,
      state: sweep.state,
      runCount: sweep.runCount,
      createdAt: sweep.createdAt,
      finishedAt: sweep.finishedAt,
    },
    fit: fit
      ? {
          computedAt: fit.createdAt,
          runCount: fit.runCount,
          fingerprint: fitFingerprint(fit.data),
          estimator: estimatorOf(document!),
        }
      : null,
    runs: sweepRuns(store, sweep.id).map((run) => exportRun(run, added)),
    decisions,
  };
}

/** A stored sweep's fit document and runs table, by id or (for people typing it) by name. */
export function sweepExport(store: Store, idOrName: string): SweepExport {
  const row = findSweep(store, idOrName);
  const sweep = row ? getSweep(store, row.id) : undefined;
  if (!sweep)
    throw new OrchestratorError('SWEEP_NOT_FOUND', `no sweep with id or name '${idOrName}'`);
  return buildExport(store, sweep);
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The runs table as CSV, one row per run, numbers written plainly (no units, no "M"/"B"): it feeds
 * `isoflop fit FILE.csv --n params --d tokens --loss val_loss --family family` as it is.
 */
export function runsCsv(runs: readonly ExportRun[]): string {
  const lines = [EXPORT_COLUMNS.join(',')];
  for (const run of runs)
    lines.push(EXPORT_COLUMNS.map((column) => csvField(run[column])).join(','));
  return `${lines.join('\n')}\n`;
}
