import { corpusFileIssues } from '@isoflop/data';
import { sweepIdOf } from '@isoflop/orchestrator';
import {
  parseSweepSpec,
  planSweep,
  SpecError,
  specFiles,
  type RunSpec,
  type SpecFormat,
} from '@isoflop/planner';
import { getSweep, measuredThroughput, type Store } from '@isoflop/store';

/** One budget of a previewed plan: its runs and the model sizes N of each variant. */
export interface PreviewBudget {
  budgetFlops: number;
  runs: number;
  /** Sum of the runs' achieved compute (6·N·D after rounding to whole steps). */
  flops: number;
  variants: { variant: string; params: number[] }[];
}

/** How long the plan would train, or why that is not known. */
export interface WallTimeEstimate {
  /** Seconds until the last run ends; null when unknown (`reason` says why). */
  wallSeconds: number | null;
  /** Workers connected to the queue now; null when the server has no coordinator. */
  workers: number | null;
  /** One worker's measured FLOP/s over this store's newest finished runs; null when none has finished. */
  flopsPerSecond: number | null;
  /** The same runs' trained tokens per second. */
  tokensPerSecond: number | null;
  /** Finished runs the rate was measured on. */
  measuredRuns: number;
  reason: string | null;
}

/** What submitting a spec would plan, computed without writing anything. */
export interface PlanPreview {
  sweepId: string;
  sweepName: string;
  /** True when this exact spec was submitted before: submitting resumes that sweep. */
  exists: boolean;
  runCount: number;
  totalFlops: number;
  budgets: PreviewBudget[];
  dropped: number;
  warnings: string[];
  estimate: WallTimeEstimate;
}

/**
 * Runs the planner on a spec exactly as a submission would (same parser, same refusal of unsafe corpus
 * files, same errors with field paths) and summarises the plan; nothing is stored or enqueued.
 */
export function previewPlan(
  store: Store,
  specText: string,
  format: SpecFormat,
  workers: number | null,
): PlanPreview {
  const spec = parseSweepSpec(specText, format);
  const refused = corpusFileIssues(specFiles(spec), { requireExisting: false });
  if (refused.length > 0) throw new SpecError(refused);
  const plan = planSweep(spec);
  const sweepId = sweepIdOf(spec);
  return {
    sweepId,
    sweepName: plan.sweepName,
    exists: getSweep(store, sweepId) !== undefined,
    runCount: plan.runs.length,
    totalFlops: plan.runs.reduce((sum, run) => sum + run.achievedFlops, 0),
    budgets: budgetsOf(plan.runs),
    dropped: plan.dropped.length,
    warnings: plan.warnings.map((warning) => `${warning.runId}: ${warning.message}`),
    estimate: estimateWallTime(store, plan.runs, workers),
  };
}

function budgetsOf(runs: readonly RunSpec[]): PreviewBudget[] {
  const byBudget = new Map<number, { runs: number; flops: number; sizes: Map<string, number[]> }>();
  for (const run of runs) {
    let budget = byBudget.get(run.budgetFlops);
    if (!budget) {
      budget = { runs: 0, flops: 0, sizes: new Map() };
      byBudget.set(run.budgetFlops, budget);
    }
    budget.runs += 1;
    budget.flops += run.achievedFlops;
    const sizes = budget.sizes.get(run.variant) ?? [];
    sizes.push(run.params);
    budget.sizes.set(run.variant, sizes);
  }
  return [...byBudget.entries()]
    .sort(([a], [b]) => a - b)
    .map(([budgetFlops, budget]) => ({
      budgetFlops,
      runs: budget.runs,
      flops: budget.flops,
      variants: [...budget.sizes.entries()].map(([variant, params]) => ({
        variant,
        params: params.sort((a, b) => a - b),
      })),
    }));
}

/**
 * Measured compute rate, shared by the connected workers; the largest run bounds it from below, since
 * one run trains on one worker. Compute, not tokens, carries over between model sizes.
 */
function estimateWallTime(
  store: Store,
  runs: readonly RunSpec[],
  workers: number | null,
): WallTimeEstimate {
  const measured = measuredThroughput(store);
  const known = {
    workers,
    flopsPerSecond: measured?.flopsPerSecond ?? null,
    tokensPerSecond: measured?.tokensPerSecond ?? null,
    measuredRuns: measured?.runs ?? 0,
  };
  if (!measured) {
    return { ...known, wallSeconds: null, reason: 'no run has finished yet: no measured speed' };
  }
  if (workers === null) {
    return { ...known, wallSeconds: null, reason: 'this server has no coordinator: no workers' };
  }
  if (workers === 0) {
    return { ...known, wallSeconds: null, reason: 'no worker is connected to the queue' };
  }
  const total = runs.reduce((sum, run) => sum + run.achievedFlops, 0);
  const largest = runs.reduce((max, run) => Math.max(max, run.achievedFlops), 0);
  const wallSeconds = Math.max(total / workers, largest) / measured.flopsPerSecond;
  return { ...known, wallSeconds, reason: null };
}
