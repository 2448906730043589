import {
  CHINCHILLA_HUBER_DELTA,
  PARAM,
  PARAM_COUNT,
  huberObjective,
  type ParametricData,
} from './huber-objective.js';
import { minimizeLbfgs, type LbfgsOptions } from './lbfgs.js';
import {
  computeOptimalAllocation,
  lawFromTheta,
  type ComputeOptimalAllocation,
  type ParametricLaw,
} from './parametric-law.js';

export interface ParametricFit extends ParametricLaw, ComputeOptimalAllocation {
  /** θ = (log A, log B, log E, alpha, beta) at the optimum. */
  theta: Float64Array;
  /** Summed Huber objective at the optimum. */
  objective: number;
  /** The best distinct end points of the multi-start search, best first (theta[0] is among them). */
  optima: Float64Array[];
  inits: number;
}

export interface ParametricFitOptions {
  /** Starting points θ; defaults to {@link chinchillaInitGrid}. */
  inits?: readonly ArrayLike<number>[];
  delta?: number;
  lbfgs?: LbfgsOptions;
  /** How many distinct end points to keep in `optima` (warm starts for bootstrap resamples). */
  keepOptima?: number;
}

/**
 * Hoffmann et al.'s grid of L-BFGS starting points: alpha, beta ∈ {0, 0.5, …, 2}, log E ∈ {−1, −0.5, …, 1},
 * log A, log B ∈ {0, 5, …, 25}: 4,500 starts.
 */
export function chinchillaInitGrid(): Float64Array[] {
  const grid: Float64Array[] = [];
  for (let logA = 0; logA <= 25; logA += 5)
    for (let logB = 0; logB <= 25; logB += 5)
      for (let logE = -1; logE <= 1; logE += 0.5)
        for (let alpha = 0; alpha <= 2; alpha += 0.5)
          for (let beta = 0; beta <= 2; beta += 0.5)
            grid.push(Float64Array.of(logA, logB, logE, alpha, beta));
  return grid;
}

// End points closer than this (max-norm in θ) are the same local optimum.
const DISTINCT_OPTIMUM = 1e-3;

/**
 * Approach 3: L-BFGS from every start to a loose tolerance (scipy's default relative decrease), then the
 * best distinct end points are polished to a tight one; the lowest objective wins. Screening loosely
 * and polishing few is what makes the 4,500-start grid affordable.
 */
export function fitParametricLaw(
  data: ParametricData,
  options: ParametricFitOptions = {},
): ParametricFit {
  const inits = options.inits ?? chinchillaInitGrid();
  const objective = huberObjective(data, options.delta ?? CHINCHILLA_HUBER_DELTA);
  const keep = Math.max(options.keepOptima ?? 1, POLISHED_OPTIMA);
  const screened = collectOptima(
    inits.map((init) =>
      minimizeLbfgs(objective, init, { ...options.lbfgs, relativeTolerance: SCREEN_TOLERANCE }),
    ),
    keep,
  );
  const polished = collectOptima(
    screened.map((o) => minimizeLbfgs(objective, o.theta, options.lbfgs)),
    options.keepOptima ?? 1,
  );
  const best = polished[0];
  if (!best) throw new RangeError('every L-BFGS start diverged');
  const law = lawFromTheta(best.theta);
  return {
    ...law,
    ...computeOptimalAllocation(law),
    theta: best.theta,
    objective: best.value,
    optima: polished.map((o) => o.theta),
    inits: inits.length,
  };
}

// scipy's L-BFGS-B default stop, (f_k − f_k+1)/max(|f|, 1) ≤ 2.2e-9, is about this loose at f ≈ 1e-3.
const SCREEN_TOLERANCE = 1e-6;
const POLISHED_OPTIMA = 4;

/** The `keep` lowest distinct end points, best first. */
function collectOptima(
  results: readonly { x: Float64Array; value: number }[],
  keep: number,
): { theta: Float64Array; value: number }[] {
  const optima: { theta: Float64Array; value: number }[] = [];
  for (const result of results) {
    if (!Number.isFinite(result.value)) continue;
    const duplicate = optima.find((o) => maxDistance(o.theta, result.x) < DISTINCT_OPTIMUM);
    if (duplicate) {
      if (result.value < duplicate.value) {
        duplicate.theta = result.x;
        duplicate.value = result.value;
      }
      continue;
    }
    optima.push({ theta: result.x, value: result.value });
  }
  optima.sort((p, q) => p.value - q.value);
  return optima.slice(0, keep);
}

/** Max-norm distance, comparing E itself rather than log E: as E → 0 log E drifts without changing the law. */
function maxDistance(p: Float64Array, q: Float64Array): number {
  let largest = Math.abs(Math.exp(p[PARAM.logE]!) - Math.exp(q[PARAM.logE]!));
  for (let i = 0; i < PARAM_COUNT; i++) {
    if (i !== PARAM.logE) largest = Math.max(largest, Math.abs(p[i]! - q[i]!));
  }
  return largest;
}
