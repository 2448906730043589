import { evaluateAkima } from './akima-interpolation.js';
import { quantileOfSorted } from './bootstrap.js';
import type { BudgetGroup } from './budget-groups.js';
import {
  MIN_SIZES_PER_BUDGET,
  powerLaws,
  type Approach2Exponents,
  type BudgetOptimum,
  type IsoflopRow,
  type PowerLaws,
} from './isoflop-fit.js';
import type { BootstrapRng } from './bootstrap-rng.js';

/**
 * Porian et al.'s Approach 2 ("Resolving Discrepancies in Compute-Optimal Scaling of Language Models",
 * NeurIPS 2024, their `analysis.py`): per budget, Akima interpolation of log L against log N on a
 * geometric grid of (k − 1)·25 sizes and its argmin; "seed noise" added to the losses, `draws` times, gives
 * N* as the median draw and the spread of log N* as the weight of a weighted least-squares power law.
 */
export interface AkimaOptions {
  /** Seed-noise draws per budget (analysis.py: bootstrap_iters = 1000). */
  draws: number;
  /**
   * Standard deviation of the Gaussian noise added to each loss, in nats. analysis.py makes it a function
   * of the loss that is the constant `noise_low` below e³ ≈ 20 nats, i.e. for every language-model loss;
   * its default is 0.005 (their RefinedWeb runs used 0.002, OpenWebText2 0.01).
   */
  seedNoise: number;
  /**
   * Floor on the standard deviation of ln N*, as a fraction of 25 grid steps (≈ the log spacing of
   * adjacent sizes): analysis.py's min_std_factor = 0.33, so no budget gets an extreme weight from a
   * minimum that never moves between draws.
   */
  stdFloor: number;
}

export const AKIMA_DEFAULTS: AkimaOptions = { draws: 1000, seedNoise: 0.005, stdFloor: 0.33 };

/** Grid points per interval between adjacent sizes (analysis.py: interp_num_multiplier). */
export const GRID_POINTS_PER_INTERVAL = 25;

export interface AkimaOptimum extends BudgetOptimum {
  /** The distinct sizes (ascending) and each size's lowest loss: the interpolated points. */
  knots: { n: Float64Array; loss: Float64Array };
  /** Points of the geometric grid in N the argmin is taken over. */
  gridPoints: number;
  /** Draws whose minimum lies inside the grid (not at either end), and their N* and L*. */
  interiorDraws: number;
  drawN: Float64Array;
  drawLoss: Float64Array;
  /** Standard deviation of ln N* over the interior draws, floored, times draws / interiorDraws. */
  logNStd: number;
}

export interface AkimaExponents extends Approach2Exponents<AkimaOptimum> {
  /** The same weighted power laws through each draw (draw i of every used budget), for intervals. */
  drawLaws: PowerLaws[];
}

/** numpy.geomspace(first, last, count): endpoints exact, interior points 10^(evenly spaced log10). */
export function geometricGrid(first: number, last: number, count: number): Float64Array {
  const grid = new Float64Array(count);
  const start = Math.log10(first);
  const step = (Math.log10(last) - start) / (count - 1);
  for (let i = 0; i < count; i++) grid[i] = 10 ** (i * step + start);
  grid[0] = first;
  grid[count - 1] = last;
  return grid;
}

/** `draws` × `sizes` standard normal draws, draw-major: the seed noise of one budget. */
export function seedNoiseNormals(rng: BootstrapRng, draws: number, sizes: number): Float64Array {
  const normals = new Float64Array(draws * sizes);
  for (let i = 0; i < normals.length; i++) normals[i] = rng.nextNormal();
  return normals;
}

/** Index of the smallest value (the first on ties), or −1 when a value is not finite. */
function argmin(values: Float64Array): number {
  let best = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) return -1;
    if (values[i]! < values[best]!) best = i;
  }
  return best;
}

function median(values: Float64Array): number {
  return quantileOfSorted(Float64Array.from(values).sort(), 0.5);
}

/**
 * One budget's optimum from its runs (indices `members` of `rows`), with `normals` the budget's
 * seed-noise draws (`draws` × distinct sizes, draw-major; see {@link seedNoiseNormals}). Flags the budget
 * when it has fewer than 3 sizes, when the noise-free argmin sits at an end of the grid (the minimum was
 * not bracketed), or when fewer than half the draws have an interior minimum.
 */
export function akimaOptimum(
  rows: readonly IsoflopRow[],
  budget: number,
  members: readonly number[],
  normals: Float64Array,
  options: AkimaOptions,
): AkimaOptimum {
  // Per size, the best run (analysis.py: groupby n, loss.idxmin).
  const best = new Map<number, number>();
  for (const i of members) {
    const { n, loss } = rows[i]!;
    best.set(n, Math.min(best.get(n) ?? Infinity, loss));
  }
  const n = Float64Array.from([...best.keys()].sort((p, q) => p - q));
  const loss = n.map((size) => best.get(size)!);
  const sizes = n.length;
  const nan = Number.NaN;
  const empty = new Float64Array(0);
  const result: AkimaOptimum = {
    budget,
    nOpt: nan,
    dOpt: nan,
    lossOpt: nan,
    runs: members.length,
    sizes,
    nRange: [n[0] ?? nan, n[sizes - 1] ?? nan],
    knots: { n, loss },
    gridPoints: 0,
    interiorDraws: 0,
    drawN: empty,
    drawLoss: empty,
    logNStd: nan,
  };
  if (sizes < MIN_SIZES_PER_BUDGET) return { ...result, flag: 'too-few-sizes' };

  const gridPoints = (sizes - 1) * GRID_POINTS_PER_INTERVAL;
  const grid = geometricGrid(n[0]!, n[sizes - 1]!, gridPoints);
  const logGrid = grid.map(Math.log);
  const logN = n.map(Math.log);
  const logLoss = new Float64Array(sizes);
  const curve = new Float64Array(gridPoints);
  const interior = (index: number) => index > 0 && index < gridPoints - 1;

  evaluateAkima(logN, loss.map(Math.log), logGrid, curve);
  if (!interior(argmin(curve))) return { ...result, gridPoints, flag: 'minimum-at-edge' };

  const { draws, seedNoise, stdFloor } = options;
  const drawN: number[] = [];
  const drawLoss: number[] = [];
  for (let r = 0; r < draws; r++) {
    for (let j = 0; j < sizes; j++)
      logLoss[j] = Math.log(loss[j]! + seedNoise * normals[r * sizes + j]!);
    evaluateAkima(logN, logLoss, logGrid, curve);
    const at = argmin(curve);
    if (!interior(at)) continue;
    drawN.push(grid[at]!);
    drawLoss.push(Math.exp(curve[at]!));
  }
  const interiorDraws = drawN.length;
  if (interiorDraws < Math.floor(draws / 2))
    return { ...result, gridPoints, interiorDraws, flag: 'unstable-minimum' };

  const logDraws = drawN.map(Math.log);
  const mean = logDraws.reduce((total, value) => total + value, 0) / interiorDraws;
  const spread = Math.sqrt(
    logDraws.reduce((total, value) => total + (value - mean) ** 2, 0) / interiorDraws,
  );
  const floor = stdFloor * GRID_POINTS_PER_INTERVAL * Math.log(grid[1]! / grid[0]!);
  const nOpt = median(Float64Array.from(drawN));
  return {
    ...result,
    nOpt,
    dOpt: budget / (6 * nOpt),
    lossOpt: median(Float64Array.from(drawLoss)),
    gridPoints,
    interiorDraws,
    drawN: Float64Array.from(drawN),
    drawLoss: Float64Array.from(drawLoss),
    logNStd: (Math.max(spread, floor) * draws) / interiorDraws,
  };
}

/**
 * Approach 2 by Akima interpolation: an optimum per budget (noise from `noiseOf(g, sizes)` for group g),
 * then weighted least squares of log N*, log D* (weights 1/std² of ln N*) and least squares of log L* on
 * log C; the same power laws through draw i of every used budget, for i below the fewest interior draws.
 */
export function fitAkimaExponents(
  rows: readonly IsoflopRow[],
  groups: readonly BudgetGroup[],
  options: AkimaOptions,
  noiseOf: (group: number, sizes: number) => Float64Array,
): AkimaExponents {
  const vertices = groups.map((group, g) => {
    const sizes = new Set(group.members.map((i) => rows[i]!.n)).size;
    return akimaOptimum(rows, group.budget, group.members, noiseOf(g, sizes), options);
  });
  const good = vertices.filter((v) => v.flag === undefined);
  const budgets = good.map((v) => v.budget);
  const weight = good.map((v) => 1 / v.logNStd ** 2);
  const laws = powerLaws(
    budgets,
    good.map((v) => v.nOpt),
    good.map((v) => v.lossOpt),
    weight,
  );
  const drawCount = good.length >= 2 ? Math.min(...good.map((v) => v.interiorDraws)) : 0;
  const drawLaws = Array.from({ length: drawCount }, (_, i) =>
    powerLaws(
      budgets,
      good.map((v) => v.drawN[i]!),
      good.map((v) => v.drawLoss[i]!),
      weight,
    ),
  );
  return { vertices, used: good.length, ...laws, drawLaws };
}
