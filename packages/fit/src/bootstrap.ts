import { BootstrapRng } from './bootstrap-rng.js';

/** Confidence level of every interval this package reports. */
export const INTERVAL_LEVEL = 0.95;

/**
 * The generator of one independent bootstrap stream, keyed by (seed, ...keys): e.g. (seed, family,
 * resample, approach). Every resample is a pure function of its keys, so any one can be reproduced alone.
 */
export function streamRng(seed: number, ...keys: number[]): BootstrapRng {
  let state = seed >>> 0;
  for (const key of keys) state = Math.imul(state ^ (key >>> 0), 0x9e3779b1) + 0x7f4a7c15;
  return new BootstrapRng(state >>> 0);
}

/** FNV-1a hash of a name, so a family's resamples do not change when other families are added. */
export function nameKey(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Draw counts of `size` draws with replacement from `size` items. */
export function resampleCounts(rng: BootstrapRng, size: number): Uint32Array {
  const counts = new Uint32Array(size);
  for (let i = 0; i < size; i++) counts[rng.nextIndex(size)]! += 1;
  return counts;
}

/**
 * The 95% percentile interval of the finite values, interpolating linearly between order statistics
 * (numpy's default percentile rule); undefined when fewer than two values are finite.
 */
export function percentileInterval(values: ArrayLike<number>): [number, number] | undefined {
  const finite = Float64Array.from(
    Array.prototype.filter.call(values, Number.isFinite) as number[],
  );
  if (finite.length < 2) return undefined;
  finite.sort();
  const tail = (1 - INTERVAL_LEVEL) / 2;
  return [quantileOfSorted(finite, tail), quantileOfSorted(finite, 1 - tail)];
}

export function quantileOfSorted(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  return sorted[below]! + fraction * (sorted[above]! - sorted[below]!);
}

/** Sample standard deviation of the finite values (the bootstrap standard error). */
export function standardError(values: ArrayLike<number>): number {
  let count = 0;
  let mean = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) continue;
    count++;
    const step = value - mean;
    mean += step / count;
    squares += step * (value - mean);
  }
  return count > 1 ? Math.sqrt(squares / (count - 1)) : Number.NaN;
}
