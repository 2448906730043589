import { resampleCounts, streamRng } from './bootstrap.js';
import type { ParametricData } from './huber-objective.js';
import { fitParametricLaw, type ParametricFit } from './parametric-fit.js';

/**
 * Four starts from Chinchilla's grid (log A, log B ∈ {5, 10}, alpha = beta = 0.5, E = 1) added to each
 * resample's warm start from the full-data optima: a resample whose optimum left the full-data basin
 * is still found, at a small fraction of the 4,500-start cost.
 */
export const BOOTSTRAP_GRID: readonly Float64Array[] = [5, 10].flatMap((logA) =>
  [5, 10].map((logB) => Float64Array.of(logA, logB, 0, 0.5, 0.5)),
);

// Stream key that separates Approach-3 resamples from Approach-2 ones drawn with the same seed.
const APPROACH3_STREAM = 3;

/** Draw counts of Approach-3 resample `resample` of the family keyed `family` (runs drawn across the family). */
export function parametricResampleCounts(
  seed: number,
  family: number,
  resample: number,
  size: number,
): Uint32Array {
  return resampleCounts(streamRng(seed, family, resample, APPROACH3_STREAM), size);
}

/** The runs drawn at least once, weighted by their draw counts: fewer terms per objective evaluation. */
export function compress(data: ParametricData, counts: Uint32Array): ParametricData {
  const drawn: number[] = [];
  counts.forEach((count, i) => {
    if (count > 0) drawn.push(i);
  });
  return {
    logN: Float64Array.from(drawn, (i) => data.logN[i]!),
    logD: Float64Array.from(drawn, (i) => data.logD[i]!),
    logLoss: Float64Array.from(drawn, (i) => data.logLoss[i]!),
    weight: Float64Array.from(drawn, (i) => counts[i]! * data.weight[i]!),
  };
}

/**
 * Approach-3 bootstrap: each resample refits the law with L-BFGS from the full-data optima plus
 * {@link BOOTSTRAP_GRID} (not the 4,500-start grid: warm starts land in the same basins far faster).
 */
export function bootstrapParametricLaw(
  data: ParametricData,
  full: ParametricFit,
  options: { resamples: number; seed: number; family: number },
): ParametricFit[] {
  const inits = [...full.optima, ...BOOTSTRAP_GRID];
  const size = data.logN.length;
  const fits: ParametricFit[] = [];
  for (let r = 0; r < options.resamples; r++) {
    const counts = parametricResampleCounts(options.seed, options.family, r, size);
    fits.push(fitParametricLaw(compress(data, counts), { inits }));
  }
  return fits;
}
