export { STORE_ERRORS, StoreError, type StoreErrorCode } from './errors.js';
export { openStore, type OpenStoreOptions, type Store, type StoreDatabase } from './open-store.js';
export * as schema from './schema.js';
export {
  EVENT_KINDS,
  FINAL_SWEEP_STATES,
  isStateIn,
  METRIC_KINDS,
  RUN_STATES,
  RUN_STATES_WITH_RESULT,
  SWEEP_STATES,
  TERMINAL_RUN_STATES,
  UNFINISHED_RUN_STATES,
  type EventKind,
  type MetricKind,
  type RunState,
  type SweepState,
} from './schema.js';
export { getCursor, setCursor } from './queries/cursor.js';
export { dataVersion } from './queries/data-version.js';
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
  decisionPayloadSchema,
  fitPayloadSchema,
  progressPayloadSchema,
  runCountsSchema,
  runPayloadSchema,
  sweepEventJsonSchema,
  sweepEventSchema,
  sweepPayloadSchema,
  type NewSweepEvent,
  type SweepEvent,
  type SweepEventOf,
  type SweepEventPayload,
} from './sweep-event.js';
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
  RUN_SORT_KEYS,
  sweepBudgets,
  sweepRunPoints,
  sweepRuns,
  sweepVariants,
  type ListRunsOptions,
  type RunDetail,
  type RunListItem,
  type RunPage,
  type RunPoint,
  type RunSortKey,
} from './queries/read-runs.js';
export {
  runMetrics,
  sweepCurveRange,
  sweepCurveSamples,
  sweepEvalPoints,
  type CurveRange,
  type CurveSample,
  type EvalPoint,
  type StoredMetric,
} from './queries/read-metrics.js';
export { latestFit, type FitRecord } from './queries/read-fits.js';
export { measuredThroughput, type MeasuredThroughput } from './queries/read-throughput.js';
export {
  eventsAfterId,
  lastEventId,
  lastSweepEventId,
  sweepDecisions,
  replayStartId,
  runEvents,
} from './queries/read-events.js';
