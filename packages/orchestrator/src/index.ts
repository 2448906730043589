export { ORCHESTRATOR_ERRORS, OrchestratorError, type OrchestratorErrorCode } from './errors.js';
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
export {
  refreshSweepFit,
  SWEEP_FIT_BOOTSTRAP,
  type SweepFitOptions,
  type SweepFitResult,
} from './fits/refresh-sweep-fit.js';
export { fitRowsOf } from './fits/fit-rows.js';
export { fitFingerprint } from './fits/fit-fingerprint.js';
export {
  EXPORT_COLUMNS,
  runsCsv,
  sweepExport,
  type ExportRun,
  type SweepExport,
} from './export/sweep-export.js';
