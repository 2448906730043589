import type { FeedTensor, FloatType } from './feed-inputs.js';
import type { Rng } from './rng.js';

export function floatTensor(type: FloatType, values: Float64Array, dims: number[]): FeedTensor {
  return type === 'float64'
    ? { type, data: values, dims }
    : { type, data: Float32Array.from(values), dims };
}

/**
 * Diffusion times for a batch, stratified across rows as in MDLM: t_k = eps + (1 − eps)·(k + u_k)/B,
 * so that every batch covers [eps, 1] evenly and the 1/t weights do not swing from batch to batch.
 */
export function stratifiedTimes(batchSize: number, eps: number, rng: Rng): Float64Array {
  const t = new Float64Array(batchSize);
  for (let k = 0; k < batchSize; k++) t[k] = eps + (1 - eps) * ((k + rng.nextFloat()) / batchSize);
  return t;
}

/**
 * Masked-unit counts for evaluation, stratified across rows: m_k = 1 + ⌊n·(k + u_k)/B⌋ ∈ [1, n], so
 * that the batch mean is an unbiased average over m uniform on {1..n}.
 */
export function stratifiedCounts(batchSize: number, units: number, rng: Rng): Int32Array {
  const m = new Int32Array(batchSize);
  for (let k = 0; k < batchSize; k++)
    m[k] = 1 + Math.floor((units * (k + rng.nextFloat())) / batchSize);
  return m;
}

/** A uniformly random subset of size `count` of [0, n), as a 0/1 mask (partial Fisher-Yates). */
export function randomSubset(n: number, count: number, rng: Rng, scratch: Int32Array): Uint8Array {
  for (let i = 0; i < n; i++) scratch[i] = i;
  const chosen = new Uint8Array(n);
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(n - i);
    const pick = scratch[j]!;
    scratch[j] = scratch[i]!;
    scratch[i] = pick;
    chosen[pick] = 1;
  }
  return chosen;
}
