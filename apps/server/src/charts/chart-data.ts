import type { FitDocument } from '@isoflop/fit';
import type { Family } from '@isoflop/planner';

/** One run as the charts see it: its place on the grid, its state and its final losses (null until known). */
export interface ChartRun {
  id: string;
  /** What charts group and colour by: the variant (spec key), which is the family unless a spec names variants. */
  family: string;
  /** The model family the variant trains. */
  model: Family;
  budgetFlops: number;
  params: number;
  tokens: number;
  flops: number;
  state: string;
  /** The valid bound: exact NLL (ARM), NELBO (MDM), K (MDM-Prime-v2). */
  valLoss: number | null;
  /** MDM-Prime-v2's J: an objective, not a likelihood bound. */
  primeObjective: number | null;
}

/** One (possibly downsampled) point of a run's training or evaluation curve. */
export interface CurvePoint {
  runId: string;
  /** The run's variant, as ChartRun.family. */
  family: string;
  budgetFlops: number;
  params: number;
  step: number;
  tokens: number;
  flops: number;
  loss: number;
  /** 'train' for the training loss, 'val' for the evaluated bound. */
  series: 'train' | 'val';
}

/** Every variant a fit or its runs draw (what the family colour's domain must hold). */
export function drawnVariants(fit: FitDocument | undefined, runs: readonly ChartRun[]): string[] {
  return [...Object.keys(fit?.families ?? {}), ...runs.map((run) => run.family)];
}

/**
 * The budgets a family's fitted frontier is drawn over: its Approach-2 budgets, else (every vertex flagged,
 * Approach 3 only) the budgets of its runs.
 */
export function frontierBudgets(
  family: string,
  familyFit: FitDocument['families'][string],
  runs: readonly ChartRun[],
): number[] {
  const budgets = (familyFit.approach2?.budgets ?? []).map((budget) => budget.budget);
  return budgets.length > 0
    ? budgets
    : runs.filter((run) => run.family === family).map((run) => run.budgetFlops);
}
