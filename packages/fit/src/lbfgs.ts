/** Objective for {@link minimizeLbfgs}: returns f(x) and writes ∇f(x) into `gradient`. */
export type ObjectiveFunction = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /** Number of (s, y) pairs kept for the inverse-Hessian approximation. */
  memory?: number;
  maxIterations?: number;
  /** Stop when max |∂f/∂x_i| falls to this. */
  gradientTolerance?: number;
  /** Stop when an iteration lowers f by no more than this fraction of |f|. */
  relativeTolerance?: number;
}

export type LbfgsStop = 'gradient' | 'relative-decrease' | 'max-iterations' | 'line-search';

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  gradientNorm: number;
  iterations: number;
  evaluations: number;
  stop: LbfgsStop;
}

// Strong-Wolfe constants of Nocedal & Wright for quasi-Newton methods.
const SUFFICIENT_DECREASE = 1e-4;
const CURVATURE = 0.9;
const MAX_BRACKET_STEPS = 25;
const MAX_ZOOM_STEPS = 40;

function dot(u: Float64Array, v: Float64Array): number {
  let total = 0;
  for (let i = 0; i < u.length; i++) total += u[i]! * v[i]!;
  return total;
}

function maxAbs(v: Float64Array): number {
  let largest = 0;
  for (let i = 0; i < v.length; i++) largest = Math.max(largest, Math.abs(v[i]!));
  return largest;
}

/** Minimiser of the cubic through (lo, fLo, dLo) and (hi, fHi, dHi), or NaN when it has none. */
function cubicMinimizer(
  lo: number,
  fLo: number,
  dLo: number,
  hi: number,
  fHi: number,
  dHi: number,
) {
  const d1 = dLo + dHi - (3 * (fLo - fHi)) / (lo - hi);
  const radicand = d1 * d1 - dLo * dHi;
  if (!(radicand >= 0)) return Number.NaN;
  const d2 = Math.sign(hi - lo) * Math.sqrt(radicand);
  return hi - ((hi - lo) * (dHi + d2 - d1)) / (dHi - dLo + 2 * d2);
}

/**
 * Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4) with a strong-Wolfe line search (Algorithms 3.5
 * and 3.6, cubic interpolation, safeguarded by bisection). Unconstrained; `f` may return Infinity or NaN
 * where it is undefined, and the line search backs off from there.
 */
export function minimizeLbfgs(
  f: ObjectiveFunction,
  x0: ArrayLike<number>,
  options: LbfgsOptions = {},
): LbfgsResult {
  const memory = options.memory ?? 10;
  const maxIterations = options.maxIterations ?? 1000;
  const gradientTolerance = options.gradientTolerance ?? 1e-10;
  const relativeTolerance = options.relativeTolerance ?? 1e-13;
  const n = x0.length;

  let x = Float64Array.from(x0);
  let gradient = new Float64Array(n);
  let value = f(x, gradient);
  let evaluations = 1;
  let trialX = new Float64Array(n);
  let trialGradient = new Float64Array(n);
  const direction = new Float64Array(n);
  const sHistory = Array.from({ length: memory }, () => new Float64Array(n));
  const yHistory = Array.from({ length: memory }, () => new Float64Array(n));
  const rho = new Float64Array(memory);
  const alphaScratch = new Float64Array(memory);
  let stored = 0;
  let newest = -1;

  const evaluateAt = (step: number): number => {
    for (let i = 0; i < n; i++) trialX[i] = x[i]! + step * direction[i]!;
    evaluations++;
    return f(trialX, trialGradient);
  };

  /** Strong-Wolfe step length, leaving the accepted point in trialX/trialGradient; 0 on failure. */
  const lineSearch = (initialStep: number, slope0: number): { step: number; value: number } => {
    const value0 = value;
    const zoom = (lo: number, fLo: number, dLo: number, hi: number, fHi: number, dHi: number) => {
      for (let j = 0; j < MAX_ZOOM_STEPS; j++) {
        const width = hi - lo;
        let step = cubicMinimizer(lo, fLo, dLo, hi, fHi, dHi);
        const left = Math.min(lo, hi) + 0.1 * Math.abs(width);
        const right = Math.max(lo, hi) - 0.1 * Math.abs(width);
        if (!(step >= left && step <= right)) step = lo + 0.5 * width;
        const fStep = evaluateAt(step);
        const dStep = dot(trialGradient, direction);
        if (!(fStep <= value0 + SUFFICIENT_DECREASE * step * slope0) || fStep >= fLo) {
          hi = step;
          fHi = fStep;
          dHi = dStep;
        } else {
          if (Math.abs(dStep) <= -CURVATURE * slope0) return { step, value: fStep };
          if (dStep * (hi - lo) >= 0) {
            hi = lo;
            fHi = fLo;
            dHi = dLo;
          }
          lo = step;
          fLo = fStep;
          dLo = dStep;
        }
        if (Math.abs(hi - lo) <= 1e-16 * Math.max(1, Math.abs(lo))) break;
      }
      // Interval collapsed without the curvature condition: accept lo if it decreased f at all.
      if (lo > 0 && fLo < value0) return { step: lo, value: evaluateAt(lo) };
      return { step: 0, value: value0 };
    };

    let previousStep = 0;
    let previousValue = value0;
    let previousSlope = slope0;
    let step = initialStep;
    for (let i = 0; i < MAX_BRACKET_STEPS; i++) {
      const fStep = evaluateAt(step);
      if (!Number.isFinite(fStep)) {
        // Undefined there (overflow): shrink towards the last good point before bracketing.
        step = previousStep + 0.1 * (step - previousStep);
        continue;
      }
      const dStep = dot(trialGradient, direction);
      if (
        fStep > value0 + SUFFICIENT_DECREASE * step * slope0 ||
        (i > 0 && fStep >= previousValue)
      ) {
        return zoom(previousStep, previousValue, previousSlope, step, fStep, dStep);
      }
      if (Math.abs(dStep) <= -CURVATURE * slope0) return { step, value: fStep };
      if (dStep >= 0) return zoom(step, fStep, dStep, previousStep, previousValue, previousSlope);
      previousStep = step;
      previousValue = fStep;
      previousSlope = dStep;
      step *= 2;
    }
    return { step: 0, value: value0 };
  };

  let iterations = 0;
  let stop: LbfgsStop = 'max-iterations';
  while (iterations < maxIterations) {
    if (maxAbs(gradient) <= gradientTolerance) {
      stop = 'gradient';
      break;
    }
    // Two-loop recursion: direction = -H·gradient.
    for (let i = 0; i < n; i++) direction[i] = -gradient[i]!;
    for (let k = 0; k < stored; k++) {
      const slot = (newest - k + memory) % memory;
      const a = rho[slot]! * dot(sHistory[slot]!, direction);
      alphaScratch[slot] = a;
      const y = yHistory[slot]!;
      for (let i = 0; i < n; i++) direction[i] = direction[i]! - a * y[i]!;
    }
    if (stored > 0) {
      const slot = newest;
      const y = yHistory[slot]!;
      const scale = 1 / (rho[slot]! * dot(y, y));
      for (let i = 0; i < n; i++) direction[i] = direction[i]! * scale;
    }
    for (let k = stored - 1; k >= 0; k--) {
      const slot = (newest - k + memory) % memory;
      const b = rho[slot]! * dot(yHistory[slot]!, direction);
      const s = sHistory[slot]!;
      const coefficient = alphaScratch[slot]! - b;
      for (let i = 0; i < n; i++) direction[i] = direction[i]! + coefficient * s[i]!;
    }
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      stored = 0;
      for (let i = 0; i < n; i++) direction[i] = -gradient[i]!;
      slope = dot(gradient, direction);
    }
    const initialStep = stored === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    const search = lineSearch(initialStep, slope);
    iterations++;
    if (search.step === 0) {
      if (stored > 0) {
        // A stale curvature model can point badly; retry once along steepest descent.
        stored = 0;
        continue;
      }
      stop = 'line-search';
      break;
    }
    const slot = (newest + 1) % memory;
    const s = sHistory[slot]!;
    const y = yHistory[slot]!;
    for (let i = 0; i < n; i++) {
      s[i] = trialX[i]! - x[i]!;
      y[i] = trialGradient[i]! - gradient[i]!;
    }
    const sy = dot(s, y);
    // Keep the pair only when it carries positive curvature, so H stays positive definite.
    if (sy > 1e-300) {
      rho[slot] = 1 / sy;
      newest = slot;
      stored = Math.min(stored + 1, memory);
    } else if (stored === memory) {
      // The rejected pair overwrote the oldest one; forget it.
      stored--;
    }
    const previousValue = value;
    [x, trialX] = [trialX, x];
    [gradient, trialGradient] = [trialGradient, gradient];
    value = search.value;
    if (
      previousValue - value <=
      relativeTolerance * Math.max(Math.abs(previousValue), Math.abs(value))
    ) {
      stop = 'relative-decrease';
      break;
    }
  }
  return { x, value, gradientNorm: maxAbs(gradient), iterations, evaluations, stop };
}
