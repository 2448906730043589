import { lossAtCompute, type CurvePoint, type RunRow } from '@isoflop/fit';
import type { EvalPoint, RunListItem } from '@isoflop/store';

/**
 * The rows a sweep's fit is computed from: every finished run with a finite valid bound, as
 * N = params (the sweep's convention), D = planned tokens, C = 6·N·D as planned, and its declared budget.
 * MDM-Prime-v2 contributes K (valLoss), never J. Rows are grouped by variant (the spec key), so two
 * variants of one family are fitted and compared apart. Sorted, so equal runs give equal rows and fingerprints.
 * With the runs' `evaluations`, each row also gets its loss at exactly its budget along its evaluated
 * curve (`budgetLoss`; null when no evaluation lies within 10% of the budget), which the akima estimator
 * reads; a run without evaluations keeps its final loss.
 */
export function fitRowsOf(
  runs: readonly RunListItem[],
  evaluations?: readonly EvalPoint[],
): RunRow[] {
  const curves = new Map<string, CurvePoint[]>();
  for (const point of evaluations ?? []) {
    const curve = curves.get(point.runId) ?? [];
    curve.push({
      flops: (point.achievedFlops * point.tokens) / point.runTokens,
      loss: point.valLoss,
    });
    curves.set(point.runId, curve);
  }
  return runs
    .filter((run) => run.state === 'done' && run.valLoss !== null && Number.isFinite(run.valLoss))
    .map((run) => {
      const row: RunRow & { budget: number } = {
        family: run.variant,
        n: run.params,
        d: run.tokens,
        c: run.achievedFlops,
        loss: run.valLoss as number,
        budget: run.budgetFlops,
      };
      const curve = curves.get(run.id);
      if (curve) row.budgetLoss = lossAtCompute(curve, run.budgetFlops) ?? null;
      return row;
    })
    .sort(
      (p, q) =>
        p.family.localeCompare(q.family) ||
        p.budget - q.budget ||
        p.n - q.n ||
        p.d - q.d ||
        p.loss - q.loss,
    );
}
