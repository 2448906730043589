import type { IsolossContour } from './isoloss-contours.js';
import type { Approach2Estimator } from './approach2-estimator.js';
import type { BudgetFlag } from './isoflop-fit.js';

/**
 * The JSON printed by `isoflop fit --json` and served by the API. Keys of the ARCHITECTURE.md contract
 * are plain numbers; with a bootstrap each figure X gains a sibling `X_ci: [lo, hi]` (95% percentile
 * interval). Everything else is extra.
 */
export type Interval = [number, number];

/** One run of any table: N parameters, D tokens, C FLOPs, loss in nats per token (a valid bound). */
export interface RunRow {
  family: string;
  n: number;
  d: number;
  c: number;
  loss: number;
  /** The run's declared IsoFLOP budget; when absent, budgets are found by grouping C. */
  budget?: number | undefined;
  /**
   * The run's loss at exactly its budget, interpolated along its evaluated curve; null when no evaluation
   * came within 10% of the budget. Only the `akima` estimator reads it (Porian et al.'s step 1), in place
   * of `loss`, leaving null runs out of Approach 2; absent: `loss`.
   */
  budgetLoss?: number | null | undefined;
}

export interface BudgetOptimumDoc {
  budget: number;
  n_opt: number;
  d_opt: number;
  loss_opt: number;
  runs: number;
  sizes: number;
  n_range: [number, number];
  /** Parabola estimators: loss = c2·x² + c1·x + c0 with x = log10 N. */
  parabola?: { c2: number; c1: number; c0: number };
  /** Akima: the std of ln N* over the draws (floored, scaled by draws / interior draws). */
  log_n_std?: number;
  /** Akima: draws whose minimum lay inside the sampled sizes. */
  interior_draws?: number;
  /** Akima: the sizes and each size's lowest loss, the points interpolated. */
  knots?: { n: number[]; loss: number[] };
  n_opt_ci?: Interval;
  d_opt_ci?: Interval;
  loss_opt_ci?: Interval;
}

export interface ExcludedBudgetDoc {
  budget: number;
  runs: number;
  sizes: number;
  reason: BudgetFlag;
  message: string;
}

export interface Approach2Doc {
  /** N_opt ∝ C^a and D_opt ∝ C^b from the budgets listed in `budgets`. */
  a: number;
  b: number;
  budgets: BudgetOptimumDoc[];
  excluded_budgets: ExcludedBudgetDoc[];
  n_opt_coefficient: number;
  d_opt_coefficient: number;
  /** L_opt = k·C^(−gamma) through the budgets' minima. */
  loss_frontier: { k: number; gamma: number; k_ci?: Interval; gamma_ci?: Interval };
  /**
   * How each budget's optimum was found (`parabola`, `parabola-nearest` or `akima`); fitRuns always sets
   * it, but fits stored before estimators were named lack it (they are `parabola`, or `parabola-nearest`
   * with `nearest_k`).
   */
  estimator?: Approach2Estimator;
  /** Set when each quadratic used only the k runs nearest its minimum. */
  nearest_k?: number;
  /** Akima: the seed-noise draws its optima, weights and intervals come from. */
  seed_noise?: { draws: number; noise: number; std_floor: number; seed: number };
  a_ci?: Interval;
  b_ci?: Interval;
  n_opt_coefficient_ci?: Interval;
  d_opt_coefficient_ci?: Interval;
}

export interface ParametricFigures<T> {
  E: T;
  A: T;
  B: T;
  alpha: T;
  beta: T;
  a: T;
  b: T;
  G: T;
}

export interface Approach3Doc extends ParametricFigures<number> {
  /** Summed Huber objective at the optimum, and the number of L-BFGS starts. */
  objective: number;
  inits: number;
  runs: number;
  E_ci?: Interval;
  A_ci?: Interval;
  B_ci?: Interval;
  alpha_ci?: Interval;
  beta_ci?: Interval;
  a_ci?: Interval;
  b_ci?: Interval;
  G_ci?: Interval;
  /** Bootstrap standard deviations, for comparison with published standard errors. */
  standard_errors?: ParametricFigures<number>;
  contours?: IsolossContour[];
}

export interface FamilyFitDoc {
  /** Runs fitted, after `dropped_highest` highest-loss runs were left out. */
  runs: number;
  dropped_highest: number;
  approach2?: Approach2Doc;
  approach3?: Approach3Doc;
}

export type EfficiencyMethod = 'approach2' | 'approach3';

export interface EfficiencyDoc {
  family: string;
  baseline: string;
  /** C_baseline(at_loss) / C_family(at_loss): > 1 means `family` reaches the loss with less compute. */
  compute_ratio: number;
  at_loss: number;
  method: EfficiencyMethod;
  compute_ratio_ci?: Interval;
}

export interface UnfittedDoc {
  family: string;
  approach: EfficiencyMethod;
  reason: string;
}

export interface RejectedRowDoc {
  row: number;
  field: keyof RunRow;
  problem: string;
}

export interface BootstrapDoc {
  resamples: number;
  seed: number;
  level: number;
  scheme: string;
}

export interface FitDocument {
  families: Record<string, FamilyFitDoc>;
  efficiency: EfficiencyDoc[];
  unfitted: UnfittedDoc[];
  rejected_rows: RejectedRowDoc[];
  warnings: string[];
  bootstrap?: BootstrapDoc;
}
