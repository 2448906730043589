import type { RunRow } from '@isoflop/fit';
import type { RunListItem } from '@isoflop/store';

/**
 * The rows a sweep's fit is computed from: every finished run with a finite valid bound, as
 * N = params (the sweep's convention), D = planned tokens, C = 6·N·D as planned, and its declared budget.
 * MDM-Prime-v2 contributes K (valLoss), never J. Rows are grouped by variant (the spec key), so two
 * variants of one family are fitted and compared apart. Sorted, so equal runs give equal rows and
 * fingerprints.
 */
export function fitRowsOf(runs: readonly RunListItem[]): RunRow[] {
  return runs
    .filter((run) => run.state === 'done' && run.valLoss !== null && Number.isFinite(run.valLoss))
    .map((run) => ({
      family: run.variant,
      n: run.params,
      d: run.tokens,
      c: run.achievedFlops,
      loss: run.valLoss as number,
      budget: run.budgetFlops,
    }))
    .sort(
      (p, q) =>
        p.family.localeCompare(q.family) ||
        p.budget - q.budget ||
        p.n - q.n ||
        p.d - q.d ||
        p.loss - q.loss,
    );
}
