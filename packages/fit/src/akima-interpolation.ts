/**
 * Akima's (1970) piecewise-cubic interpolation, as scipy.interpolate.Akima1DInterpolator builds it: slopes
 * of the secants, two extrapolated secants at each end, each knot's derivative the weighted mean of its
 * neighbouring secants (weights |m_{i+1} − m_i|), and cubic Hermite pieces between knots. Unlike a
 * least-squares quadratic it passes through every point and follows the data's local shape, so its
 * minimum is not pulled by points far from it.
 */

/** Derivatives at the knots `x` (strictly increasing, at least 2 points) of the Akima spline through `y`. */
export function akimaDerivatives(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const n = x.length;
  // m[2 .. n] are the secants; m[0], m[1], m[n+1], m[n+2] the extrapolated ones.
  const m = new Float64Array(n + 3);
  for (let i = 0; i < n - 1; i++) m[i + 2] = (y[i + 1]! - y[i]!) / (x[i + 1]! - x[i]!);
  m[1] = 2 * m[2]! - m[3]!;
  m[0] = 2 * m[1]! - m[2]!;
  m[n + 1] = 2 * m[n]! - m[n - 1]!;
  m[n + 2] = 2 * m[n + 1]! - m[n]!;
  const weight = new Float64Array(n + 2);
  let largest = -Infinity;
  for (let i = 0; i < n + 2; i++) weight[i] = Math.abs(m[i + 1]! - m[i]!);
  for (let i = 0; i < n; i++) largest = Math.max(largest, weight[i + 2]! + weight[i]!);
  const derivative = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const right = weight[i + 2]!;
    const left = weight[i]!;
    // Where both weights vanish (collinear neighbours) the slope is undefined; scipy takes the mean.
    derivative[i] =
      right + left > 1e-9 * largest
        ? (right * m[i + 1]! + left * m[i + 2]!) / (right + left)
        : 0.5 * (m[i + 3]! + m[i]!);
  }
  return derivative;
}

/**
 * Evaluates the Akima spline through (x, y) at the increasing points `at` (inside [x₀, x_last]) into
 * `out`: one walk over the knots, no search per point.
 */
export function evaluateAkima(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  at: ArrayLike<number>,
  out: Float64Array,
  derivative: Float64Array = akimaDerivatives(x, y),
): Float64Array {
  const last = x.length - 2;
  let piece = 0;
  for (let p = 0; p < at.length; p++) {
    const t = at[p]!;
    while (piece < last && t >= x[piece + 1]!) piece++;
    const h = x[piece + 1]! - x[piece]!;
    const secant = (y[piece + 1]! - y[piece]!) / h;
    const d0 = derivative[piece]!;
    const d1 = derivative[piece + 1]!;
    const c2 = (3 * secant - 2 * d0 - d1) / h;
    const c3 = (d0 + d1 - 2 * secant) / (h * h);
    const u = t - x[piece]!;
    out[p] = ((c3 * u + c2) * u + d0) * u + y[piece]!;
  }
  return out;
}
