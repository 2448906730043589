/** y = intercept + slope·x by weighted least squares. */
export interface Line {
  intercept: number;
  slope: number;
}

/** loss = c2·x² + c1·x + c0. */
export interface Parabola {
  c2: number;
  c1: number;
  c0: number;
}

/** Weighted least-squares line; NaN coefficients when x has no spread. */
export function fitLine(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  weight?: ArrayLike<number>,
): Line {
  let sw = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    const w = weight ? weight[i]! : 1;
    sw += w;
    sx += w * x[i]!;
    sy += w * y[i]!;
  }
  const mx = sx / sw;
  const my = sy / sw;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const w = weight ? weight[i]! : 1;
    const dx = x[i]! - mx;
    sxx += w * dx * dx;
    sxy += w * dx * (y[i]! - my);
  }
  const slope = sxx > 0 ? sxy / sxx : Number.NaN;
  return { slope, intercept: my - slope * mx };
}

/**
 * Weighted least-squares quadratic. Solved in x − mean(x), where the normal equations are well
 * conditioned (log10 N sits near 8-10, so raw powers of x are nearly collinear), then mapped back.
 */
export function fitParabola(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  weight?: ArrayLike<number>,
): Parabola {
  let sw = 0;
  let sx = 0;
  for (let i = 0; i < x.length; i++) {
    const w = weight ? weight[i]! : 1;
    sw += w;
    sx += w * x[i]!;
  }
  const mean = sx / sw;
  // Normal equations M·[q0, q1, q2] = v for y ≈ q0 + q1·u + q2·u², u = x − mean.
  const m = [0, 0, 0, 0, 0];
  const v = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    const w = weight ? weight[i]! : 1;
    const u = x[i]! - mean;
    let power = w;
    for (let k = 0; k < 5; k++) {
      m[k]! += power;
      if (k < 3) v[k]! += power * y[i]!;
      power *= u;
    }
  }
  const [q0, q1, q2] = solve3(
    [
      [m[0]!, m[1]!, m[2]!],
      [m[1]!, m[2]!, m[3]!],
      [m[2]!, m[3]!, m[4]!],
    ],
    v as [number, number, number],
  );
  return { c2: q2, c1: q1 - 2 * q2 * mean, c0: q0 - q1 * mean + q2 * mean * mean };
}

/** Gaussian elimination with partial pivoting; NaNs when the system is (numerically) singular. */
function solve3(matrix: number[][], rhs: [number, number, number]): [number, number, number] {
  const a = matrix.map((row, i) => [...row, rhs[i]!]);
  const scale = Math.max(...matrix.flat().map(Math.abs));
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let row = col + 1; row < 3; row++) {
      if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row;
    }
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const head = a[col]!;
    // A pivot at rounding level means fewer than three distinct x: no unique quadratic.
    if (!(Math.abs(head[col]!) > 1e-12 * scale)) return [Number.NaN, Number.NaN, Number.NaN];
    for (let row = col + 1; row < 3; row++) {
      const target = a[row]!;
      const factor = target[col]! / head[col]!;
      for (let k = col; k < 4; k++) target[k] = target[k]! - factor * head[k]!;
    }
  }
  const solution: [number, number, number] = [0, 0, 0];
  for (let row = 2; row >= 0; row--) {
    const line = a[row]!;
    let value = line[3]!;
    for (let k = row + 1; k < 3; k++) value -= line[k]! * solution[k]!;
    solution[row] = value / line[row]!;
  }
  return solution;
}
