export { TrainerError, NON_RETRYABLE_TRAINER_CODES } from './errors.js';
export type { TrainerErrorCode, TrainerErrorDetails } from './errors.js';
export { learningRate } from './lr-schedule.js';
export type { LrScheduleSpec } from './lr-schedule.js';
export {
  CHECKPOINT_FILE,
  checkpointPath,
  identityMismatch,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';
export type { CheckpointIdentity, CheckpointState } from './checkpoint.js';
