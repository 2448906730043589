/** Compute at which a frontier L_opt = k·C^(−gamma) reaches `loss`; NaN unless gamma > 0. */
export function powerLawCompute(k: number, gamma: number, loss: number): number {
  if (!(gamma > 0)) return Number.NaN;
  return (k / loss) ** (1 / gamma);
}

/**
 * `points` losses evenly spaced over the overlap of two loss ranges (both [low, high]), or none when
 * the ranges do not overlap: a ratio is only reported where both families were observed.
 */
export function sharedLosses(
  first: readonly [number, number],
  second: readonly [number, number],
  points: number,
): number[] {
  const low = Math.max(first[0], second[0]);
  const high = Math.min(first[1], second[1]);
  if (!(low <= high)) return [];
  if (points === 1 || low === high) return [(low + high) / 2];
  return Array.from({ length: points }, (_, i) => low + ((high - low) * i) / (points - 1));
}
