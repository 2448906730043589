import type { ObjectiveFunction } from './lbfgs.js';

/** Runs in the form Approach 3 fits: natural logs of N, D and loss, and each run's multiplicity. */
export interface ParametricData {
  logN: Float64Array;
  logD: Float64Array;
  logLoss: Float64Array;
  /** How many times each run counts (1, or a bootstrap resample's draw count). */
  weight: Float64Array;
}

/** Chinchilla's Huber threshold on log-loss residuals. */
export const CHINCHILLA_HUBER_DELTA = 1e-3;

/**
 * Positions in the parameter vector θ = (log A, log B, log E, alpha, beta): Chinchilla's parameterisation,
 * which keeps A, B and E positive without bounds.
 */
export const PARAM = { logA: 0, logB: 1, logE: 2, alpha: 3, beta: 4 } as const;
export const PARAM_COUNT = 5;

export function toParametricData(
  runs: readonly { n: number; d: number; loss: number }[],
): ParametricData {
  const count = runs.length;
  const data: ParametricData = {
    logN: new Float64Array(count),
    logD: new Float64Array(count),
    logLoss: new Float64Array(count),
    weight: new Float64Array(count).fill(1),
  };
  runs.forEach((run, i) => {
    data.logN[i] = Math.log(run.n);
    data.logD[i] = Math.log(run.d);
    data.logLoss[i] = Math.log(run.loss);
  });
  return data;
}

/**
 * Σ_i w_i·Huber_δ(log L_i − log L̂_i) with log L̂ = logsumexp(log A − alpha·log N, log B − beta·log D, log E),
 * summed (not averaged) as Chinchilla did, with its analytic gradient.
 */
export function huberObjective(
  data: ParametricData,
  delta: number = CHINCHILLA_HUBER_DELTA,
): ObjectiveFunction {
  const { logN, logD, logLoss, weight } = data;
  const count = logN.length;
  return (theta, gradient) => {
    const logA = theta[PARAM.logA]!;
    const logB = theta[PARAM.logB]!;
    const logE = theta[PARAM.logE]!;
    const alpha = theta[PARAM.alpha]!;
    const beta = theta[PARAM.beta]!;
    const irreducible = Math.exp(logE);
    let total = 0;
    let gLogA = 0;
    let gLogB = 0;
    let gLogE = 0;
    let gAlpha = 0;
    let gBeta = 0;
    for (let i = 0; i < count; i++) {
      const lnN = logN[i]!;
      const lnD = logD[i]!;
      const termN = logA - alpha * lnN;
      const termD = logB - beta * lnD;
      let expN = Math.exp(termN);
      let expD = Math.exp(termD);
      let expE = irreducible;
      let sum = expN + expD + expE;
      let top = 0;
      // Direct sums are exact and save an exp per run; shift by the largest term only where they
      // overflow or vanish (far from any fit, during line searches).
      if (!(sum > 1e-300 && sum < 1e300)) {
        top = Math.max(termN, termD, logE);
        expN = Math.exp(termN - top);
        expD = Math.exp(termD - top);
        expE = Math.exp(logE - top);
        sum = expN + expD + expE;
      }
      const residual = logLoss[i]! - (top + Math.log(sum));
      const w = weight[i]!;
      let slope: number;
      if (Math.abs(residual) <= delta) {
        total += w * 0.5 * residual * residual;
        slope = residual;
      } else {
        total += w * delta * (Math.abs(residual) - 0.5 * delta);
        slope = residual > 0 ? delta : -delta;
      }
      // d(huber)/d(log L̂) = −slope; d(log L̂)/d(term) = softmax weight of that term.
      const scale = (-w * slope) / sum;
      const shareN = scale * expN;
      const shareD = scale * expD;
      gLogA += shareN;
      gAlpha -= shareN * lnN;
      gLogB += shareD;
      gBeta -= shareD * lnD;
      gLogE += scale * expE;
    }
    gradient[PARAM.logA] = gLogA;
    gradient[PARAM.logB] = gLogB;
    gradient[PARAM.logE] = gLogE;
    gradient[PARAM.alpha] = gAlpha;
    gradient[PARAM.beta] = gBeta;
    return total;
  };
}
