export {
  Coordinator,
  type CoordinatorOptions,
  type FitRefresher,
  type SubmitOptions,
  type SubmitResult,
} from './coordinator.js';
export { sweepIdOf } from './sweep-id.js';
export { toNewRun } from './run-rows.js';
