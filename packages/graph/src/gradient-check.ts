import { GraphError } from './errors.js';

/** One tensor of a gradient check: its current values and the gradient the graph computed. */
export interface GradientCheckTensor {
  readonly name: string;
  /** Perturbed in place during the check and restored afterwards. */
  readonly values: Float64Array;
  readonly analytic: ArrayLike<number>;
}

export interface GradientCheckOptions {
  /** Entries probed per tensor (all entries when the tensor is smaller). */
  readonly probesPerTensor?: number;
  /** Central-difference step, relative to max(1, |value|). */
  readonly step?: number;
  /** Gradients whose probed norm is below this are compared in absolute terms. */
  readonly floor?: number;
  readonly seed?: number;
}

export interface TensorGradientError {
  readonly name: string;
  readonly relativeError: number;
  readonly probes: number;
  readonly analyticNorm: number;
}

export interface GradientCheckReport {
  readonly tensors: readonly TensorGradientError[];
  readonly worstRelativeError: number;
}

/**
 * Which entries of each tensor to probe: a seeded sample without replacement, so a check of a
 * large model stays cheap and repeatable.
 */
export function planProbes(size: number, count: number, seed: number): number[] {
  if (!Number.isInteger(size) || size <= 0) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      `planProbes: size: expected a positive integer, got ${size}`,
    );
  }
  if (count >= size) return Array.from({ length: size }, (_, i) => i);
  let state = (seed >>> 0) ^ 0x9e3779b9;
  const next = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(next() * size));
  return [...picked].sort((a, b) => a - b);
}

/** ‖a − n‖ / max(‖a‖, ‖n‖, floor): scale-free, and absolute for gradients below `floor`. */
export function relativeError(
  analytic: ArrayLike<number>,
  numeric: ArrayLike<number>,
  floor = 1e-8,
): number {
  if (analytic.length !== numeric.length) {
    throw new GraphError(
      'SHAPE_MISMATCH',
      `relativeError: lengths differ (${analytic.length} vs ${numeric.length})`,
    );
  }
  let diff = 0;
  let na = 0;
  let nn = 0;
  for (let i = 0; i < analytic.length; i++) {
    const a = analytic[i] ?? 0;
    const n = numeric[i] ?? 0;
    diff += (a - n) ** 2;
    na += a * a;
    nn += n * n;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nn), floor);
}

/**
 * Compares analytic gradients with central finite differences of `loss`, which the caller
 * evaluates (e.g. with ONNX Runtime) from the tensors' current `values`.
 */
export async function checkGradients(
  tensors: readonly GradientCheckTensor[],
  loss: () => Promise<number>,
  options: GradientCheckOptions = {},
): Promise<GradientCheckReport> {
  const probesPerTensor = options.probesPerTensor ?? 16;
  const step = options.step ?? 1e-5;
  const floor = options.floor ?? 1e-8;
  const results: TensorGradientError[] = [];
  for (const [t, tensor] of tensors.entries()) {
    if (tensor.analytic.length !== tensor.values.length) {
      throw new GraphError(
        'SHAPE_MISMATCH',
        `checkGradients: ${tensor.name}: analytic has ${tensor.analytic.length} entries, values ${tensor.values.length}`,
      );
    }
    const probes = planProbes(tensor.values.length, probesPerTensor, (options.seed ?? 0) + t);
    const analytic: number[] = [];
    const numeric: number[] = [];
    for (const i of probes) {
      const original = tensor.values[i] ?? 0;
      const h = step * Math.max(1, Math.abs(original));
      tensor.values[i] = original + h;
      const plus = await loss();
      tensor.values[i] = original - h;
      const minus = await loss();
      tensor.values[i] = original;
      numeric.push((plus - minus) / (2 * h));
      analytic.push(tensor.analytic[i] ?? 0);
    }
    results.push({
      name: tensor.name,
      relativeError: relativeError(analytic, numeric, floor),
      probes: probes.length,
      analyticNorm: Math.hypot(...analytic),
    });
  }
  return {
    tensors: results,
    worstRelativeError: Math.max(0, ...results.map((r) => r.relativeError)),
  };
}
