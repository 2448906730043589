/** log of the Beta function at positive integers, B(a, b) = (a−1)!(b−1)!/(a+b−1)!. */
export function logBetaInt(a: number, b: number): number {
  return logFactorial(a - 1) + logFactorial(b - 1) - logFactorial(a + b - 1);
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/**
 * ∫₀¹ (1/t)·t^m·(1−t)^(M−m) dt = B(m, M−m+1): the weight that the linear schedule (mask probability t,
 * loss weight 1/t) gives to one particular mask pattern with m of M positions masked, m ≥ 1.
 */
export function maskPatternWeight(masked: number, total: number): number {
  return Math.exp(logBetaInt(masked, total - masked + 1));
}
