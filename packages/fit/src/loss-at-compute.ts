/** One evaluation of a run: the compute spent so far and the loss evaluated there. */
export interface CurvePoint {
  flops: number;
  loss: number;
}

/** Porian et al.'s flop_tolerance: a run whose evaluations all miss the budget by more is left out. */
export const COMPUTE_TOLERANCE = 0.1;

/**
 * A run's loss at exactly `compute` FLOPs from its evaluated curve (Porian et al.'s step 1): linear in
 * log L against log C between the evaluations around it, the end value beyond either end. Undefined when
 * the evaluation nearest `compute` is more than `tolerance` (relative, in either direction) away from it,
 * or when the curve has no usable point. Runs that overshoot or undershoot their budget are then compared
 * at the same compute instead of at whatever compute they reached.
 */
export function lossAtCompute(
  curve: readonly CurvePoint[],
  compute: number,
  tolerance = COMPUTE_TOLERANCE,
): number | undefined {
  const points = curve
    .filter((p) => p.flops > 0 && p.loss > 0 && Number.isFinite(p.flops + p.loss))
    .sort((p, q) => p.flops - q.flops);
  if (points.length === 0) return undefined;
  const target = Math.log(compute);
  const nearest = points.reduce((best, p) =>
    Math.abs(Math.log(p.flops) - target) < Math.abs(Math.log(best.flops) - target) ? p : best,
  );
  if (Math.exp(Math.abs(Math.log(nearest.flops) - target)) - 1 > tolerance) return undefined;
  const after = points.findIndex((p) => p.flops >= compute);
  if (after === 0) return points[0]!.loss;
  if (after < 0) return points[points.length - 1]!.loss;
  const left = points[after - 1]!;
  const right = points[after]!;
  const x0 = Math.log(left.flops);
  const x1 = Math.log(right.flops);
  if (x1 === x0) return right.loss;
  const share = (target - x0) / (x1 - x0);
  return Math.exp(Math.log(left.loss) + share * (Math.log(right.loss) - Math.log(left.loss)));
}
