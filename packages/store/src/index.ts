export { StoreError, type StoreErrorCode } from './errors.js';
export { openStore, type OpenStoreOptions, type Store, type StoreDatabase } from './open-store.js';
export * as schema from './schema.js';
export {
  EVENT_KINDS,
  METRIC_KINDS,
  RUN_STATES,
  SWEEP_STATES,
  TERMINAL_RUN_STATES,
  type EventKind,
  type MetricKind,
  type RunState,
  type SweepState,
} from './schema.js';
export { getCursor, setCursor } from './queries/cursor.js';
export {
  appendEvents,
  listEventsAfter,
  type NewEvent,
  type StoredEvent,
} from './queries/write-events.js';
export { saveFit } from './queries/write-fits.js';
export { insertMetrics, type MetricRow } from './queries/write-metrics.js';
export {
  cancelSweepRuns,
  markRunRetrying,
  markRunRunning,
  markRunsQueued,
  recordRunFailure,
  recordRunResult,
  setRunLastStep,
  type RunFailure,
  type RunResultRow,
} from './queries/write-runs.js';
export {
  addSweepRuns,
  insertSweep,
  setSweepState,
  type NewRun,
  type NewSweep,
} from './queries/write-sweep.js';
export {
  findRunRows,
  findSweep,
  listSweepRuns,
  listUnfinishedRuns,
  type RunRow,
  type SweepRow,
} from './queries/run-lookup.js';
export { countRunsByState, listSweepStatuses, type SweepStatus } from './queries/sweep-status.js';
export {
  getSweep,
  listSweeps,
  type SweepDetail,
  type SweepSummary,
} from './queries/read-sweeps.js';
export {
  getRun,
  listRuns,
  sweepRunPoints,
  sweepRuns,
  type ListRunsOptions,
  type RunDetail,
  type RunListItem,
  type RunPage,
  type RunPoint,
} from './queries/read-runs.js';
export {
  runMetrics,
  sweepCurveSamples,
  type CurveSample,
  type StoredMetric,
} from './queries/read-metrics.js';
export { latestFit, type FitRecord } from './queries/read-fits.js';
export {
  eventsAfterId,
  lastEventId,
  lastSweepEventId,
  sweepDecisions,
} from './queries/read-events.js';
