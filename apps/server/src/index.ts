export { ServerError, type ServerErrorCode } from './errors.js';
export {
  buildServer,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_HOST,
  DEFAULT_PORT,
  type IsoflopServer,
  type ServerOptions,
} from './http/build-server.js';
export type { SweepCoordinator } from './http/sweep-coordinator.js';
export {
  refreshSweepFit,
  SWEEP_FIT_BOOTSTRAP,
  type SweepFitOptions,
  type SweepFitResult,
} from './fits/refresh-sweep-fit.js';
export { fitRowsOf } from './fits/fit-rows.js';
export {
  EXPORT_COLUMNS,
  runsCsv,
  sweepExport,
  type ExportRun,
  type SweepExport,
} from './export/sweep-export.js';
export {
  CHARTS,
  chartByName,
  type ChartDefinition,
  type ChartInputs,
} from './charts/chart-registry.js';
export { renderSvg } from './charts/render-svg.js';
export {
  Coordinator,
  describeDecision,
  listDecisions,
  sweepIdOf,
  toNewRun,
  type CoordinatorOptions,
  type DecisionPayload,
  type SweepDecision,
  type FitRefresher,
  type SubmitOptions,
  type SubmitResult,
} from './coordinator/index.js';
