/**
 * Keeps at most `maxPoints` of an ordered series: the first and last points, and in each of
 * (maxPoints − 2) / 2 equal index buckets in between, the points with the lowest and highest value, in
 * their original order. A line through them has the same envelope as the full series (spikes and
 * divergences survive), which plain striding does not promise.
 */
export function downsampleMinMax<T>(
  points: readonly T[],
  maxPoints: number,
  value: (point: T) => number,
): T[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(`maxPoints: expected an integer >= 2, got ${maxPoints}`);
  }
  if (points.length <= maxPoints) return [...points];
  const kept: T[] = [points[0]!];
  const buckets = Math.floor((maxPoints - 2) / 2);
  const inner = points.length - 2;
  for (let bucket = 0; bucket < buckets; bucket++) {
    const start = 1 + Math.floor((bucket * inner) / buckets);
    const end = 1 + Math.floor(((bucket + 1) * inner) / buckets);
    if (end <= start) continue;
    let low = start;
    let high = start;
    for (let i = start + 1; i < end; i++) {
      const v = value(points[i]!);
      if (v < value(points[low]!)) low = i;
      if (v > value(points[high]!)) high = i;
    }
    kept.push(points[Math.min(low, high)]!);
    if (low !== high) kept.push(points[Math.max(low, high)]!);
  }
  kept.push(points[points.length - 1]!);
  return kept;
}
