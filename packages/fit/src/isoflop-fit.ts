import type { BudgetGroup } from './budget-groups.js';
import { fitLine, fitParabola, type Parabola } from './least-squares.js';

/** Why a budget's vertex is left out of the exponent fit. */
export type BudgetFlag = 'too-few-sizes' | 'non-positive-curvature' | 'vertex-outside-range';

/** A budget needs this many distinct model sizes for a quadratic with a checkable vertex. */
export const MIN_SIZES_PER_BUDGET = 3;

export interface IsoflopRow {
  n: number;
  loss: number;
}

export interface BudgetVertex {
  budget: number;
  /** 10^(vertex of the quadratic in log10 N). */
  nOpt: number;
  dOpt: number;
  lossOpt: number;
  /** Runs (counting repeats) and distinct sizes the quadratic was fitted on. */
  runs: number;
  sizes: number;
  nRange: [number, number];
  /** In x = log10 N. */
  parabola: Parabola;
  flag?: BudgetFlag;
}

export interface IsoflopExponents {
  vertices: BudgetVertex[];
  /** Budgets whose vertices entered the line fits. */
  used: number;
  /** N_opt = nCoefficient·C^a, D_opt = dCoefficient·C^b, L_opt = k·C^(−gamma); NaN with < 2 budgets. */
  a: number;
  b: number;
  nCoefficient: number;
  dCoefficient: number;
  k: number;
  gamma: number;
}

/**
 * The quadratic in log10 N through one budget's runs, on all of them or on the `nearestK` closest in
 * log N to the lowest observed loss (a full-range quadratic is biased on grids asymmetric about the
 * minimum). `weight` holds each run's multiplicity (bootstrap draw counts); zero-weight runs are absent.
 */
export function budgetVertex(
  rows: readonly IsoflopRow[],
  group: BudgetGroup,
  options: { nearestK?: number | undefined; weight?: ArrayLike<number> | undefined },
): BudgetVertex {
  const weightOf = (i: number) => (options.weight ? options.weight[i]! : 1);
  let members = group.members.filter((i) => weightOf(i) > 0);
  const nearestK = options.nearestK;
  if (nearestK !== undefined && members.length > nearestK) {
    const best = members.reduce((p, q) => (rows[q]!.loss < rows[p]!.loss ? q : p));
    const centre = Math.log10(rows[best]!.n);
    members = [...members]
      .sort(
        (p, q) =>
          Math.abs(Math.log10(rows[p]!.n) - centre) - Math.abs(Math.log10(rows[q]!.n) - centre),
      )
      .slice(0, nearestK);
  }
  const x = members.map((i) => Math.log10(rows[i]!.n));
  const y = members.map((i) => rows[i]!.loss);
  const w = members.map(weightOf);
  const sizes = new Set(members.map((i) => rows[i]!.n)).size;
  const lowest = Math.min(...x);
  const highest = Math.max(...x);
  const base = {
    budget: group.budget,
    runs: w.reduce((total, count) => total + count, 0),
    sizes,
    nRange: [10 ** lowest, 10 ** highest] as [number, number],
  };
  if (sizes < MIN_SIZES_PER_BUDGET) {
    const nan = Number.NaN;
    return {
      ...base,
      nOpt: nan,
      dOpt: nan,
      lossOpt: nan,
      parabola: { c2: nan, c1: nan, c0: nan },
      flag: 'too-few-sizes',
    };
  }
  const parabola = fitParabola(x, y, w);
  const vertex = -parabola.c1 / (2 * parabola.c2);
  const nOpt = 10 ** vertex;
  const vertexFields = {
    ...base,
    nOpt,
    dOpt: group.budget / (6 * nOpt),
    lossOpt: parabola.c0 - (parabola.c1 * parabola.c1) / (4 * parabola.c2),
    parabola,
  };
  if (!(parabola.c2 > 0)) return { ...vertexFields, flag: 'non-positive-curvature' };
  if (vertex < lowest || vertex > highest) return { ...vertexFields, flag: 'vertex-outside-range' };
  return vertexFields;
}

/** Approach 2: a vertex per budget, then lines of log10 N_opt, log10 D_opt, log10 L_opt on log10 C. */
export function fitIsoflopExponents(
  rows: readonly IsoflopRow[],
  groups: readonly BudgetGroup[],
  options: { nearestK?: number | undefined; weight?: ArrayLike<number> | undefined } = {},
): IsoflopExponents {
  const vertices = groups.map((group) => budgetVertex(rows, group, options));
  const good = vertices.filter((v) => v.flag === undefined);
  const logC = good.map((v) => Math.log10(v.budget));
  const nLine = fitLine(
    logC,
    good.map((v) => Math.log10(v.nOpt)),
  );
  const dLine = fitLine(
    logC,
    good.map((v) => Math.log10(v.dOpt)),
  );
  const lossLine = fitLine(
    logC,
    good.map((v) => Math.log10(v.lossOpt)),
  );
  const enough = good.length >= 2;
  const nan = Number.NaN;
  return {
    vertices,
    used: good.length,
    a: enough ? nLine.slope : nan,
    b: enough ? dLine.slope : nan,
    nCoefficient: enough ? 10 ** nLine.intercept : nan,
    dCoefficient: enough ? 10 ** dLine.intercept : nan,
    k: enough ? 10 ** lossLine.intercept : nan,
    gamma: enough ? -lossLine.slope : nan,
  };
}
