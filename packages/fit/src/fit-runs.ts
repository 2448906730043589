import {
  INTERVAL_LEVEL,
  nameKey,
  percentileInterval,
  resampleCounts,
  standardError,
  streamRng,
} from './bootstrap.js';
import {
  AKIMA_DEFAULTS,
  fitAkimaExponents,
  seedNoiseNormals,
  type AkimaExponents,
  type AkimaOptimum,
} from './akima-estimator.js';
import {
  DEFAULT_ESTIMATOR,
  DEFAULT_NEAREST_K,
  ESTIMATORS,
  type Approach2Estimator,
} from './approach2-estimator.js';
import { groupBudgets, type BudgetGroup } from './budget-groups.js';
import { powerLawCompute, sharedLosses } from './efficiency-ratio.js';
import { FitError } from './errors.js';
import type {
  Approach2Doc,
  Approach3Doc,
  EfficiencyDoc,
  FamilyFitDoc,
  FitDocument,
  ParametricFigures,
  RunRow,
  UnfittedDoc,
} from './fit-document.js';
import { toParametricData } from './huber-objective.js';
import { bootstrapParametricLaw } from './parametric-bootstrap.js';
import {
  fitIsoflopExponents,
  MIN_SIZES_PER_BUDGET,
  type Approach2Exponents,
  type BudgetFlag,
  type BudgetOptimum,
  type BudgetVertex,
  type PowerLaws,
} from './isoflop-fit.js';
import { isolossContours, type ContourOptions } from './isoloss-contours.js';
import { fitParametricLaw, type ParametricFit } from './parametric-fit.js';
import {
  computeOptimalAllocation,
  frontierCompute,
  frontierLoss,
  type ParametricLaw,
} from './parametric-law.js';
import {
  integerOption,
  nonNegativeOption,
  positiveOption,
  validateRows,
} from './validate-input.js';

export interface FitOptions {
  /**
   * Approach-2 estimator (default `parabola`, or `parabola-nearest` when `nearestK` is given alone).
   */
  estimator?: Approach2Estimator;
  /** Bootstrap resamples (0: none). */
  bootstrap?: number;
  /** Leave out each family's `dropHighest` highest-loss runs (Epoch's Chinchilla protocol drops 5). */
  dropHighest?: number;
  /** Bootstrap seed. */
  seed?: number;
  /** Fit each budget's quadratic on its k runs nearest the lowest loss (k ≥ 3; `parabola-nearest`). */
  nearestK?: number;
  /** `akima`: seed-noise draws per budget (default 1,000). */
  seedNoiseDraws?: number;
  /** `akima`: standard deviation in nats of the Gaussian noise added to each loss (default 0.005). */
  seedNoise?: number;
  /** `akima`: floor on the std of ln N*, as a fraction of 25 grid steps (default 0.33). */
  stdFloor?: number;
  /** Relative C tolerance when grouping rows without a declared budget (default 0.05). */
  budgetTolerance?: number;
  /** Family the others are compared against (default `arm` when present, else the first by name). */
  baseline?: string;
  /** Losses per family pair at which the compute ratio is reported (default 3). */
  efficiencyPoints?: number;
  /** Add Approach-3 isoloss contours; levels default to 6 over the family's observed losses. */
  contours?: boolean | Partial<ContourOptions>;
  /** Approach-3 L-BFGS starts for the full-data fit (default: Chinchilla's 4,500-point grid). */
  inits?: readonly ArrayLike<number>[];
  /** Fit Approach 3 (default true); false gives a quick Approach-2-only document, e.g. for a chart. */
  approach3?: boolean;
}

/** Approach 3 needs more runs than its 5 parameters. */
export const MIN_RUNS_APPROACH3 = 6;
const DEFAULT_BUDGET_TOLERANCE = 0.05;
const DEFAULT_EFFICIENCY_POINTS = 3;
const CONTOUR_POINTS = 64;
const CONTOUR_LEVELS = 6;
const WARM_STARTS = 4;
// Stream keys separating Approach-2 resamples, Approach-3 ones (key 3) and Akima seed noise drawn with
// the same seed.
const APPROACH2_STREAM = 2;
const AKIMA_STREAM = 4;

export const BOOTSTRAP_SCHEME =
  'Approach 2: runs resampled with replacement within each budget; Approach 3: runs resampled with ' +
  "replacement across the family, each resample's L-BFGS warm-started from the full-data optima and a " +
  'four-start grid; intervals are 95% percentile intervals over resamples whose fit is defined.';

export const AKIMA_BOOTSTRAP_SCHEME =
  'Approach 2 (akima): Gaussian seed noise added to the losses of each budget, its own intervals (see ' +
  "approach2.seed_noise), independent of the resample count; Approach 3: runs resampled with replacement across the family, each resample's " +
  'L-BFGS warm-started from the full-data optima and a four-start grid; intervals are 95% percentile ' +
  'intervals over resamples whose fit is defined.';

/** The Approach-2 settings of one fit, after defaults. */
interface Approach2Settings {
  estimator: Approach2Estimator;
  nearestK: number | undefined;
  akima: { draws: number; seedNoise: number; stdFloor: number; seed: number };
}

interface FamilyState {
  name: string;
  rows: RunRow[];
  dropped: number;
  groups: BudgetGroup[];
  approach2?: Approach2Exponents;
  approach3?: ParametricFit;
  /** Power laws of each Approach-2 resample (parabola) or seed-noise draw (akima), for intervals. */
  boot2: PowerLaws[];
  /** Per resample, each budget's optimum (parabola estimators only). */
  bootOptima: BudgetOptimum[][];
  boot3: ParametricLaw[];
}

/**
 * Fits every family of a table of runs: Approach 2 where the rows have IsoFLOP structure, Approach 3
 * where there are enough runs, bootstrap intervals on request, and compute ratios against a baseline.
 * What cannot be fitted is listed in `unfitted` with the reason; bad rows in `rejected_rows`.
 */
export function fitRuns(rows: readonly RunRow[], options: FitOptions = {}): FitDocument {
  const resamples = integerOption('bootstrap', options.bootstrap, 0) ?? 0;
  const dropHighest = integerOption('dropHighest', options.dropHighest, 0) ?? 0;
  const seed = integerOption('seed', options.seed, 0) ?? 0;
  const settings = approach2Settings(options, seed);
  const { nearestK } = settings;
  const tolerance =
    nonNegativeOption('budgetTolerance', options.budgetTolerance) ?? DEFAULT_BUDGET_TOLERANCE;
  const efficiencyPoints =
    integerOption('efficiencyPoints', options.efficiencyPoints, 1) ?? DEFAULT_EFFICIENCY_POINTS;
  const { valid, rejected } = validateRows(rows);

  const warnings = rejected.map((r) => `rows[${r.row}].${r.field} ${r.problem}: row left out`);
  const unfitted: UnfittedDoc[] = [];
  const names = [...new Set(valid.map((row) => row.family))].sort();
  const baseline = options.baseline ?? (names.includes('arm') ? 'arm' : names[0]!);
  if (!names.includes(baseline)) {
    throw new FitError(
      'INVALID_OPTION',
      `baseline: no family '${baseline}' in the rows (families: ${names.join(', ')})`,
    );
  }

  const states = names.map((name): FamilyState => {
    const sorted = valid.filter((row) => row.family === name).sort((p, q) => p.loss - q.loss);
    const kept = sorted.slice(0, Math.max(0, sorted.length - dropHighest));
    return {
      name,
      rows: kept,
      dropped: sorted.length - kept.length,
      groups: groupBudgets(kept, tolerance),
      boot2: [],
      bootOptima: [],
      boot3: [],
    };
  });

  for (const state of states) {
    fitApproach2(state, settings, unfitted, warnings);
    if (options.approach3 !== false) fitApproach3(state, options.inits, unfitted);
    if (resamples > 0) bootstrapFamily(state, { resamples, seed, nearestK });
  }

  const families: Record<string, FamilyFitDoc> = {};
  for (const state of states) {
    if (!state.approach2 && !state.approach3) continue;
    const doc: FamilyFitDoc = { runs: state.rows.length, dropped_highest: state.dropped };
    if (state.approach2) doc.approach2 = approach2Doc(state, state.approach2, settings);
    if (state.approach3)
      doc.approach3 = approach3Doc(state, state.approach3, resamples > 0, options.contours);
    families[state.name] = doc;
  }
  if (Object.keys(families).length === 0) {
    throw new FitError(
      'NOTHING_TO_FIT',
      `no family could be fitted: ${unfitted.map((u) => `${u.family} (${u.approach}): ${u.reason}`).join('; ')}`,
    );
  }

  const base = states.find((s) => s.name === baseline)!;
  const efficiency = states
    .filter((s) => s !== base)
    .flatMap((s) => efficiencyEntries(s, base, efficiencyPoints, resamples > 0, warnings));

  const document: FitDocument = {
    families,
    efficiency,
    unfitted,
    rejected_rows: rejected,
    warnings,
  };
  if (resamples > 0) {
    const scheme = settings.estimator === 'akima' ? AKIMA_BOOTSTRAP_SCHEME : BOOTSTRAP_SCHEME;
    document.bootstrap = { resamples, seed, level: INTERVAL_LEVEL, scheme };
  }
  return document;
}

function approach2Settings(options: FitOptions, seed: number): Approach2Settings {
  const given = options.estimator;
  if (given !== undefined && !(ESTIMATORS as readonly string[]).includes(given)) {
    throw new FitError(
      'INVALID_OPTION',
      `estimator: expected one of ${ESTIMATORS.join(', ')}, got '${String(given)}'`,
    );
  }
  const nearestK = integerOption('nearestK', options.nearestK, MIN_SIZES_PER_BUDGET);
  const estimator = given ?? (nearestK === undefined ? DEFAULT_ESTIMATOR : 'parabola-nearest');
  if (nearestK !== undefined && estimator !== 'parabola-nearest') {
    throw new FitError(
      'INVALID_OPTION',
      `nearestK: only with estimator 'parabola-nearest', not '${estimator}'`,
    );
  }
  const akimaOnly = {
    seedNoiseDraws: options.seedNoiseDraws,
    seedNoise: options.seedNoise,
    stdFloor: options.stdFloor,
  };
  for (const [name, value] of Object.entries(akimaOnly)) {
    if (value !== undefined && estimator !== 'akima')
      throw new FitError(
        'INVALID_OPTION',
        `${name}: only with estimator 'akima', not '${estimator}'`,
      );
  }
  return {
    estimator,
    nearestK: estimator === 'parabola-nearest' ? (nearestK ?? DEFAULT_NEAREST_K) : undefined,
    akima: {
      draws: integerOption('seedNoiseDraws', options.seedNoiseDraws, 1) ?? AKIMA_DEFAULTS.draws,
      seedNoise: nonNegativeOption('seedNoise', options.seedNoise) ?? AKIMA_DEFAULTS.seedNoise,
      stdFloor: positiveOption('stdFloor', options.stdFloor) ?? AKIMA_DEFAULTS.stdFloor,
      seed,
    },
  };
}

/**
 * The Akima estimator follows Porian et al. from their step 1: a run's loss at exactly its budget
 * (`budgetLoss`) where the caller has it, and runs whose curve never came within reach of it left out.
 */
function fitAkima(state: FamilyState, settings: Approach2Settings['akima']): AkimaExponents {
  const rows = state.rows.map((row) => ({ n: row.n, loss: row.budgetLoss ?? row.loss }));
  const groups = state.groups
    .map((group) => ({
      budget: group.budget,
      members: group.members.filter((i) => state.rows[i]!.budgetLoss !== null),
    }))
    .filter((group) => group.members.length > 0);
  const family = nameKey(state.name);
  return fitAkimaExponents(rows, groups, settings, (g, sizes) =>
    seedNoiseNormals(streamRng(settings.seed, family, AKIMA_STREAM, g), settings.draws, sizes),
  );
}

function fitApproach2(
  state: FamilyState,
  settings: Approach2Settings,
  unfitted: UnfittedDoc[],
  warnings: string[],
) {
  let exponents: Approach2Exponents;
  if (settings.estimator === 'akima') {
    const akima = fitAkima(state, settings.akima);
    state.boot2 = akima.drawLaws;
    exponents = akima;
  } else exponents = fitIsoflopExponents(state.rows, state.groups, { nearestK: settings.nearestK });
  if (exponents.vertices.every((v) => v.flag === 'too-few-sizes')) {
    unfitted.push({
      family: state.name,
      approach: 'approach2',
      reason: `no IsoFLOP structure: no budget has ${MIN_SIZES_PER_BUDGET} distinct model sizes (${state.rows.length} runs in ${state.groups.length} budgets)`,
    });
    return;
  }
  for (const v of exponents.vertices) {
    if (v.flag)
      warnings.push(
        `${state.name}: budget ${v.budget.toExponential(3)} left out of the Approach-2 exponent fit: ${flagMessage(v.flag, v.sizes)}`,
      );
  }
  if (exponents.used < 2) {
    unfitted.push({
      family: state.name,
      approach: 'approach2',
      reason: `only ${exponents.used} budget with an interior minimum; the exponent fit needs 2`,
    });
    return;
  }
  state.approach2 = exponents;
}

function flagMessage(flag: BudgetFlag, sizes: number): string {
  switch (flag) {
    case 'too-few-sizes':
      return `${sizes} distinct model size${sizes === 1 ? '' : 's'}, fewer than ${MIN_SIZES_PER_BUDGET}`;
    case 'non-positive-curvature':
      return 'the quadratic in log N has no minimum (curvature ≤ 0)';
    case 'vertex-outside-range':
      return 'the vertex lies outside the sampled N range';
    case 'minimum-at-edge':
      return 'the interpolated minimum lies at the smallest or largest size (not bracketed)';
    case 'unstable-minimum':
      return 'fewer than half the seed-noise draws have their minimum inside the sampled N range';
  }
}

function fitApproach3(
  state: FamilyState,
  inits: readonly ArrayLike<number>[] | undefined,
  unfitted: UnfittedDoc[],
) {
  const sizes = new Set(state.rows.map((r) => r.n)).size;
  const tokens = new Set(state.rows.map((r) => r.d)).size;
  if (state.rows.length < MIN_RUNS_APPROACH3 || sizes < 2 || tokens < 2) {
    unfitted.push({
      family: state.name,
      approach: 'approach3',
      reason: `${state.rows.length} runs with ${sizes} distinct N and ${tokens} distinct D; the parametric fit needs ${MIN_RUNS_APPROACH3} runs and 2 distinct values of each`,
    });
    return;
  }
  state.approach3 = fitParametricLaw(toParametricData(state.rows), {
    keepOptima: WARM_STARTS,
    ...(inits ? { inits } : {}),
  });
}

/**
 * Approach 2 resamples runs within each budget, keeping the IsoFLOP design; Approach 3 resamples runs
 * across the family, as Epoch did for Chinchilla's runs.
 */
function bootstrapFamily(
  state: FamilyState,
  options: { resamples: number; seed: number; nearestK: number | undefined },
) {
  const { resamples, seed, nearestK } = options;
  // Akima's intervals come from its seed-noise draws (already in boot2), not from resampling runs.
  const approach2 = state.approach2 && state.boot2.length === 0 ? state.approach2 : undefined;
  for (let r = 0; approach2 && r < resamples; r++) {
    const weight = new Float64Array(state.rows.length);
    state.groups.forEach((group, g) => {
      const rng = streamRng(seed, nameKey(state.name), r, APPROACH2_STREAM, g);
      const counts = resampleCounts(rng, group.members.length);
      group.members.forEach((member, j) => (weight[member] = counts[j]!));
    });
    const resampled = fitIsoflopExponents(state.rows, state.groups, { nearestK, weight });
    state.boot2.push(resampled);
    state.bootOptima.push(resampled.vertices);
  }
  if (state.approach3) {
    const data = toParametricData(state.rows);
    state.boot3 = bootstrapParametricLaw(data, state.approach3, {
      resamples,
      seed,
      family: nameKey(state.name),
    });
  }
}

function approach2Doc(
  state: FamilyState,
  fit: Approach2Exponents,
  settings: Approach2Settings,
): Approach2Doc {
  const doc: Approach2Doc = {
    a: fit.a,
    b: fit.b,
    budgets: [],
    excluded_budgets: [],
    n_opt_coefficient: fit.nCoefficient,
    d_opt_coefficient: fit.dCoefficient,
    loss_frontier: { k: fit.k, gamma: fit.gamma },
    estimator: settings.estimator,
  };
  if (settings.nearestK !== undefined) doc.nearest_k = settings.nearestK;
  if (settings.estimator === 'akima') {
    const { draws, seedNoise, stdFloor, seed } = settings.akima;
    doc.seed_noise = { draws, noise: seedNoise, std_floor: stdFloor, seed };
  }
  fit.vertices.forEach((v, i) => {
    if (v.flag) {
      doc.excluded_budgets.push({
        budget: v.budget,
        runs: v.runs,
        sizes: v.sizes,
        reason: v.flag,
        message: flagMessage(v.flag, v.sizes),
      });
      return;
    }
    const budget: Approach2Doc['budgets'][number] = {
      budget: v.budget,
      n_opt: v.nOpt,
      d_opt: v.dOpt,
      loss_opt: v.lossOpt,
      runs: v.runs,
      sizes: v.sizes,
      n_range: v.nRange,
    };
    if ('parabola' in v) budget.parabola = (v as BudgetVertex).parabola;
    let drawN: ArrayLike<number> | undefined;
    let drawLoss: ArrayLike<number> | undefined;
    if (isAkimaOptimum(v)) {
      budget.log_n_std = v.logNStd;
      budget.interior_draws = v.interiorDraws;
      budget.knots = { n: Array.from(v.knots.n), loss: Array.from(v.knots.loss) };
      drawN = v.drawN;
      drawLoss = v.drawLoss;
    } else if (state.bootOptima.length > 0) {
      const defined = state.bootOptima.map((b) => b[i]!).filter((bv) => bv.flag === undefined);
      drawN = defined.map((bv) => bv.nOpt);
      drawLoss = defined.map((bv) => bv.lossOpt);
    }
    if (drawN && drawLoss) {
      budget.n_opt_ci = percentileInterval(drawN);
      budget.d_opt_ci = percentileInterval(Array.from(drawN, (n) => v.budget / (6 * n)));
      budget.loss_opt_ci = percentileInterval(drawLoss);
    }
    doc.budgets.push(budget);
  });
  if (state.boot2.length > 0) {
    doc.a_ci = percentileInterval(state.boot2.map((b) => b.a));
    doc.b_ci = percentileInterval(state.boot2.map((b) => b.b));
    doc.n_opt_coefficient_ci = percentileInterval(state.boot2.map((b) => b.nCoefficient));
    doc.d_opt_coefficient_ci = percentileInterval(state.boot2.map((b) => b.dCoefficient));
    doc.loss_frontier.k_ci = percentileInterval(state.boot2.map((b) => b.k));
    doc.loss_frontier.gamma_ci = percentileInterval(state.boot2.map((b) => b.gamma));
  }
  return doc;
}

function isAkimaOptimum(optimum: BudgetOptimum): optimum is AkimaOptimum {
  return 'drawN' in optimum;
}

const FIGURES = ['E', 'A', 'B', 'alpha', 'beta', 'a', 'b', 'G'] as const;

function figures(law: ParametricLaw): ParametricFigures<number> {
  const { E, A, B, alpha, beta } = law;
  return { E, A, B, alpha, beta, ...computeOptimalAllocation(law) };
}

function approach3Doc(
  state: FamilyState,
  fit: ParametricFit,
  withCi: boolean,
  contours: FitOptions['contours'],
): Approach3Doc {
  const doc: Approach3Doc = {
    ...figures(fit),
    objective: fit.objective,
    inits: fit.inits,
    runs: state.rows.length,
  };
  if (withCi) {
    const samples = state.boot3.map(figures);
    const errors = {} as ParametricFigures<number>;
    for (const key of FIGURES) {
      const values = samples.map((s) => s[key]);
      doc[`${key}_ci`] = percentileInterval(values);
      errors[key] = standardError(values);
    }
    doc.standard_errors = errors;
  }
  if (contours) {
    const requested = contours === true ? {} : contours;
    const losses = state.rows.map((r) => r.loss);
    const sizes = state.rows.map((r) => r.n);
    const low = Math.max(Math.min(...losses), fit.E * 1.001);
    const high = Math.max(...losses);
    doc.contours = isolossContours(fit, {
      levels:
        requested.levels ??
        Array.from(
          { length: CONTOUR_LEVELS },
          (_, i) => low * (high / low) ** (i / (CONTOUR_LEVELS - 1)),
        ),
      nRange: requested.nRange ?? [Math.min(...sizes) / 3, Math.max(...sizes) * 3],
      points: requested.points ?? CONTOUR_POINTS,
    });
  }
  return doc;
}

function efficiencyEntries(
  family: FamilyState,
  baseline: FamilyState,
  points: number,
  withCi: boolean,
  warnings: string[],
): EfficiencyDoc[] {
  const entries: EfficiencyDoc[] = [];
  const pair = `${family.name} vs ${baseline.name}`;
  const f2 = family.approach2;
  const b2 = baseline.approach2;
  if (f2 && b2) {
    entries.push(
      ...ratioEntries({
        names: [family.name, baseline.name],
        method: 'approach2',
        fits: [f2, b2],
        // Akima families may have different draw counts: the pairs are the first draws of both.
        boots: [family.boot2, baseline.boot2],
        losses: sharedLosses(minimaRange(f2), minimaRange(b2), points),
        ratioAt: (f, b, loss) =>
          powerLawCompute(b.k, b.gamma, loss) / powerLawCompute(f.k, f.gamma, loss),
        noOverlap: `${pair} (approach2): the budgets' minimum losses do not overlap; no compute ratio`,
        noRatio: (loss) =>
          `${pair} (approach2): a loss frontier does not decrease with compute; no ratio at ${loss}`,
        warnings,
      }),
    );
  }
  const f3 = family.approach3;
  const b3 = baseline.approach3;
  if (f3 && b3) {
    entries.push(
      ...ratioEntries({
        names: [family.name, baseline.name],
        method: 'approach3',
        fits: [f3, b3],
        boots: withCi ? [family.boot3, baseline.boot3] : undefined,
        losses: sharedLosses(frontierRange(family, f3), frontierRange(baseline, b3), points),
        ratioAt: (f, b, loss) => frontierCompute(b, loss) / frontierCompute(f, loss),
        noOverlap: `${pair} (approach3): the fitted frontiers cover no common loss over the observed compute; no compute ratio`,
        noRatio: (loss) => `${pair} (approach3): loss ${loss} is at or below a fitted E; no ratio`,
        warnings,
      }),
    );
  }
  return entries;
}

/**
 * The compute ratio family/baseline at each shared loss, under one approach's fits, with the percentile
 * interval over the paired bootstrap fits (resample or draw r of both families) where there are any; a
 * loss where the ratio is not finite is a warning instead of an entry.
 */
function ratioEntries<Fit>(input: {
  names: [family: string, baseline: string];
  method: EfficiencyDoc['method'];
  fits: [family: Fit, baseline: Fit];
  boots: [family: readonly Fit[], baseline: readonly Fit[]] | undefined;
  losses: readonly number[];
  ratioAt: (family: Fit, baseline: Fit, loss: number) => number;
  noOverlap: string;
  noRatio: (loss: number) => string;
  warnings: string[];
}): EfficiencyDoc[] {
  const { fits, boots, ratioAt, warnings } = input;
  if (input.losses.length === 0) warnings.push(input.noOverlap);
  const entries: EfficiencyDoc[] = [];
  for (const loss of input.losses) {
    const entry: EfficiencyDoc = {
      family: input.names[0],
      baseline: input.names[1],
      compute_ratio: ratioAt(fits[0], fits[1], loss),
      at_loss: loss,
      method: input.method,
    };
    const paired = boots ? Math.min(boots[0].length, boots[1].length) : 0;
    if (boots && paired > 0)
      entry.compute_ratio_ci = percentileInterval(
        boots[0].slice(0, paired).map((f, r) => ratioAt(f, boots[1][r]!, loss)),
      );
    if (Number.isFinite(entry.compute_ratio)) entries.push(entry);
    else warnings.push(input.noRatio(loss));
  }
  return entries;
}

function minimaRange(fit: Approach2Exponents): [number, number] {
  const losses = fit.vertices.filter((v) => v.flag === undefined).map((v) => v.lossOpt);
  return [Math.min(...losses), Math.max(...losses)];
}

/** Frontier losses over the family's observed compute range. */
function frontierRange(state: FamilyState, law: ParametricLaw): [number, number] {
  const compute = state.rows.map((r) => r.c);
  return [frontierLoss(law, Math.max(...compute)), frontierLoss(law, Math.min(...compute))];
}
