import { PARAM } from './huber-objective.js';

/** L(N, D) = E + A/N^alpha + B/D^beta. */
export interface ParametricLaw {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}

/** Compute-optimal allocation of a law: N_opt = G·(C/6)^a, D_opt = (C/6)^b / G. */
export interface ComputeOptimalAllocation {
  a: number;
  b: number;
  G: number;
}

export function lawFromTheta(theta: ArrayLike<number>): ParametricLaw {
  return {
    E: Math.exp(theta[PARAM.logE]!),
    A: Math.exp(theta[PARAM.logA]!),
    B: Math.exp(theta[PARAM.logB]!),
    alpha: theta[PARAM.alpha]!,
    beta: theta[PARAM.beta]!,
  };
}

export function predictLoss(law: ParametricLaw, n: number, d: number): number {
  return law.E + law.A / n ** law.alpha + law.B / d ** law.beta;
}

/** Minimising L(N, C/(6N)) over N in closed form (Hoffmann et al. 2022, eq. 4). */
export function computeOptimalAllocation(law: ParametricLaw): ComputeOptimalAllocation {
  const { A, B, alpha, beta } = law;
  const sum = alpha + beta;
  return { a: beta / sum, b: alpha / sum, G: ((alpha * A) / (beta * B)) ** (1 / sum) };
}

export function optimalParams(law: ParametricLaw, computeFlops: number): number {
  const { a, G } = computeOptimalAllocation(law);
  return G * (computeFlops / 6) ** a;
}

export function optimalTokens(law: ParametricLaw, computeFlops: number): number {
  const { b, G } = computeOptimalAllocation(law);
  return (computeFlops / 6) ** b / G;
}

/**
 * The law along its compute-optimal frontier is L*(C) = E + K·(C/6)^(−gamma) with
 * K = A·G^(−alpha) + B·G^beta and gamma = alpha·beta/(alpha+beta), because a·alpha = b·beta.
 */
export function frontier(law: ParametricLaw): { K: number; gamma: number } {
  const { G } = computeOptimalAllocation(law);
  return {
    K: law.A * G ** -law.alpha + law.B * G ** law.beta,
    gamma: (law.alpha * law.beta) / (law.alpha + law.beta),
  };
}

export function frontierLoss(law: ParametricLaw, computeFlops: number): number {
  const { K, gamma } = frontier(law);
  return law.E + K * (computeFlops / 6) ** -gamma;
}

/** Compute at which the frontier reaches `loss`; NaN when loss ≤ E (never reached). */
export function frontierCompute(law: ParametricLaw, loss: number): number {
  if (!(loss > law.E)) return Number.NaN;
  const { K, gamma } = frontier(law);
  return 6 * ((loss - law.E) / K) ** (-1 / gamma);
}
