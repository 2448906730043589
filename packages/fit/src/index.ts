export { FitError, type FitErrorCode } from './errors.js';
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
export { BOOTSTRAP_SCHEME, MIN_RUNS_APPROACH3, fitRuns, type FitOptions } from './fit-runs.js';
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
  type BudgetFlag,
  type BudgetVertex,
  type IsoflopExponents,
  type IsoflopRow,
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
export { Rng } from './rng.js';
export { powerLawCompute, sharedLosses } from './efficiency-ratio.js';
export {
  isolossContours,
  type ContourOptions,
  type IsolossContour,
  type IsolossPoint,
} from './isoloss-contours.js';
