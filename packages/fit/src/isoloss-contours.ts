import type { ParametricLaw } from './parametric-law.js';

export interface IsolossPoint {
  n: number;
  d: number;
  /** 6·N·D, for plotting the same curve over (C, N). */
  c: number;
}

export interface IsolossContour {
  loss: number;
  points: IsolossPoint[];
}

export interface ContourOptions {
  /** Loss levels; levels at or below E have no contour and are skipped. */
  levels: readonly number[];
  nRange: readonly [number, number];
  /** Points per contour, log-spaced in N. */
  points: number;
}

/**
 * Curves of constant fitted loss. Solving L(N, D) = level for D gives D = (B/(level − E − A/N^alpha))^(1/beta)
 * wherever the bracket is positive, so contours are exact, with no grid or marching squares.
 */
export function isolossContours(law: ParametricLaw, options: ContourOptions): IsolossContour[] {
  const [nLow, nHigh] = options.nRange;
  const logLow = Math.log(nLow);
  const step = options.points > 1 ? (Math.log(nHigh) - logLow) / (options.points - 1) : 0;
  const contours: IsolossContour[] = [];
  for (const loss of options.levels) {
    if (!(loss > law.E)) continue;
    const points: IsolossPoint[] = [];
    for (let i = 0; i < options.points; i++) {
      const n = Math.exp(logLow + i * step);
      const dataTerm = loss - law.E - law.A / n ** law.alpha;
      if (!(dataTerm > 0)) continue;
      const d = (law.B / dataTerm) ** (1 / law.beta);
      points.push({ n, d, c: 6 * n * d });
    }
    if (points.length > 0) contours.push({ loss, points });
  }
  return contours;
}
