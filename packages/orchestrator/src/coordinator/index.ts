export {
  Coordinator,
  type CoordinatorOptions,
  type DecisionPayload,
  type FitRefresher,
  type SubmitOptions,
  type SubmitResult,
} from './coordinator.js';
export { sweepIdOf } from './sweep-id.js';
export { toNewRun } from './run-rows.js';
export { describeDecision, listDecisions, type SweepDecision } from './decisions.js';
