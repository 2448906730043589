export { FIT_ERRORS, FitError, type FitErrorCode } from './errors.js';
export type {
  Approach2Doc,
  Approach3Doc,
  BootstrapDoc,
  BudgetOptimumDoc,
  EfficiencyDoc,
  EfficiencyMethod,
  ExcludedBudgetDoc,
  FamilyFitDoc,
  FitDocument,
  Interval,
  ParametricFigures,
  RejectedRowDoc,
  RunRow,
  UnfittedDoc,
} from './fit-document.js';
export {
  AKIMA_BOOTSTRAP_SCHEME,
  BOOTSTRAP_SCHEME,
  MIN_RUNS_APPROACH3,
  fitRuns,
  type FitOptions,
} from './fit-runs.js';
export {
  DEFAULT_ESTIMATOR,
  DEFAULT_NEAREST_K,
  ESTIMATORS,
  type Approach2Estimator,
} from './approach2-estimator.js';
export {
  AKIMA_DEFAULTS,
  GRID_POINTS_PER_INTERVAL,
  akimaOptimum,
  fitAkimaExponents,
  geometricGrid,
  seedNoiseNormals,
  type AkimaExponents,
  type AkimaOptimum,
  type AkimaOptions,
} from './akima-estimator.js';
export { akimaDerivatives, evaluateAkima } from './akima-interpolation.js';
export { lossAtCompute, type CurvePoint } from './loss-at-compute.js';
export {
  BOOTSTRAP_GRID,
  bootstrapParametricLaw,
  compress,
  parametricResampleCounts,
} from './parametric-bootstrap.js';
export {
  minimizeLbfgs,
  type LbfgsOptions,
  type LbfgsResult,
  type LbfgsStop,
  type ObjectiveFunction,
} from './lbfgs.js';
export {
  CHINCHILLA_HUBER_DELTA,
  PARAM,
  PARAM_COUNT,
  huberObjective,
  toParametricData,
  type ParametricData,
} from './huber-objective.js';
export {
  chinchillaInitGrid,
  fitParametricLaw,
  type ParametricFit,
  type ParametricFitOptions,
} from './parametric-fit.js';
export {
  computeOptimalAllocation,
  frontier,
  frontierCompute,
  frontierLoss,
  lawFromTheta,
  optimalParams,
  optimalTokens,
  predictLoss,
  type ComputeOptimalAllocation,
  type ParametricLaw,
} from './parametric-law.js';
export {
  MIN_SIZES_PER_BUDGET,
  budgetVertex,
  fitIsoflopExponents,
  powerLaws,
  type Approach2Exponents,
  type BudgetFlag,
  type BudgetOptimum,
  type BudgetVertex,
  type IsoflopExponents,
  type IsoflopRow,
  type PowerLaws,
} from './isoflop-fit.js';
export { groupBudgets, type BudgetGroup } from './budget-groups.js';
export { fitLine, fitParabola, type Line, type Parabola } from './least-squares.js';
export {
  INTERVAL_LEVEL,
  nameKey,
  percentileInterval,
  quantileOfSorted,
  resampleCounts,
  standardError,
  streamRng,
} from './bootstrap.js';
export { BootstrapRng } from './bootstrap-rng.js';
export { powerLawCompute, sharedLosses } from './efficiency-ratio.js';
export {
  isolossContours,
  type ContourOptions,
  type IsolossContour,
  type IsolossPoint,
} from './isoloss-contours.js';
