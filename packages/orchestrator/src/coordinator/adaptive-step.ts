import {
  decideAdaptiveStep,
  type AdaptiveStep,
  type ObservedRun,
  type RunSpec,
  type SweepSpec,
} from '@isoflop/planner';
import { FINAL_SWEEP_STATES, findSweep, listSweepRuns, type Store } from '@isoflop/store';

/** Whether a stored sweep plans adaptively: its spec has an `adaptive` block. */
export function plansAdaptively(spec: unknown): boolean {
  return (spec as Partial<SweepSpec> | null)?.adaptive !== undefined;
}

/**
 * The adaptive step of a stored sweep, from its stored spec, every run stored for it (planned and added)
 * and the finished runs' valid bounds. Undefined when the sweep does not plan adaptively or is over
 * (done, failed or cancelled): an ended sweep never grows.
 */
export function decideSweepStep(store: Store, sweepId: string): AdaptiveStep | undefined {
  const sweep = findSweep(store, sweepId);
  if (!sweep || (FINAL_SWEEP_STATES as readonly string[]).includes(sweep.state)) return undefined;
  if (!plansAdaptively(sweep.spec)) return undefined;
  const rows = listSweepRuns(store, sweepId);
  const results: ObservedRun[] = [];
  for (const row of rows) {
    if (row.state !== 'done' || row.valLoss === null || !Number.isFinite(row.valLoss)) continue;
    const spec = row.spec as RunSpec;
    results.push({
      runId: row.id,
      variant: spec.variant,
      budgetFlops: row.budgetFlops,
      params: row.params,
      tokens: row.tokens,
      loss: row.valLoss,
      ...(row.valLossStdErr === null ? {} : { lossStdErr: row.valLossStdErr }),
      seed: spec.seed,
    });
  }
  return decideAdaptiveStep({
    spec: sweep.spec as SweepSpec,
    planned: rows.map((row) => row.spec as RunSpec),
    results,
  });
}
