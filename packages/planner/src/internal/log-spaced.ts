/** `count` values from min to max inclusive, evenly spaced in log, rounded to 4 significant digits. */
export function logSpaced(min: number, max: number, count: number): number[] {
  if (count === 1) return [min];
  const ratio = Math.log(max / min);
  // Rounding keeps budgets readable (3.162e12, not 3162277660168.379) and the run ids free of float noise.
  return Array.from({ length: count }, (_, i) =>
    Number((min * Math.exp((ratio * i) / (count - 1))).toPrecision(4)),
  );
}
