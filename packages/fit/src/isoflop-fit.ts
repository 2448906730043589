import type { BudgetGroup } from './budget-groups.js';
import { fitLine, fitParabola, type Parabola } from './least-squares.js';

/**
 * Why a budget's optimum is left out of the exponent fit: the first three from the quadratic, the last
 * two from Akima interpolation (the minimum sits at an end of the sizes; most seed-noise draws put it there).
 */
export type BudgetFlag =
  | 'too-few-sizes'
  | 'non-positive-curvature'
  | 'vertex-outside-range'
  | 'minimum-at-edge'
  | 'unstable-minimum';

/** A budget needs this many distinct model sizes for a quadratic with a checkable vertex. */
export const MIN_SIZES_PER_BUDGET = 3;

export interface IsoflopRow {
  n: number;
  loss: number;
}

/** One budget's compute-optimal point, whichever estimator found it. */
export interface BudgetOptimum {
  budget: number;
  nOpt: number;
  /** budget / (6·nOpt). */
  dOpt: number;
  lossOpt: number;
  /** Runs (counting repeats) and distinct sizes the optimum was found from. */
  runs: number;
  sizes: number;
  nRange: [number, number];
  flag?: BudgetFlag;
}

export interface BudgetVertex extends BudgetOptimum {
  /** nOpt = 10^(vertex of the quadratic in log10 N). In x = log10 N. */
  parabola: Parabola;
}

/** N_opt = nCoefficient·C^a, D_opt = dCoefficient·C^b, L_opt = k·C^(−gamma); NaN with < 2 budgets. */
export interface PowerLaws {
  a: number;
  b: number;
  nCoefficient: number;
  dCoefficient: number;
  k: number;
  gamma: number;
}

export interface Approach2Exponents<
  Optimum extends BudgetOptimum = BudgetOptimum,
> extends PowerLaws {
  vertices: Optimum[];
  /** Budgets whose optima entered the line fits. */
  used: number;
}

export type IsoflopExponents = Approach2Exponents<BudgetVertex>;

/**
 * Lines of log10 N_opt and log10 D_opt (D_opt = C/(6·N_opt)) on log10 C, weighted by `weight` when given,
 * and of log10 L_opt on log10 C (unweighted: the weights measure the spread of N_opt, not of L_opt).
 */
export function powerLaws(
  budgets: readonly number[],
  nOpt: readonly number[],
  lossOpt: readonly number[],
  weight?: readonly number[],
): PowerLaws {
  const logC = budgets.map(Math.log10);
  const nLine = fitLine(logC, nOpt.map(Math.log10), weight);
  const dLine = fitLine(
    logC,
    nOpt.map((n, i) => Math.log10(budgets[i]! / (6 * n))),
    weight,
  );
  const lossLine = fitLine(logC, lossOpt.map(Math.log10));
  if (budgets.length < 2) {
    const nan = Number.NaN;
    return { a: nan, b: nan, nCoefficient: nan, dCoefficient: nan, k: nan, gamma: nan };
  }
  return {
    a: nLine.slope,
    b: dLine.slope,
    nCoefficient: 10 ** nLine.intercept,
    dCoefficient: 10 ** dLine.intercept,
    k: 10 ** lossLine.intercept,
    gamma: -lossLine.slope,
  };
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
  const laws = powerLaws(
    good.map((v) => v.budget),
    good.map((v) => v.nOpt),
    good.map((v) => v.lossOpt),
  );
  return { vertices, used: good.length, ...laws };
}
