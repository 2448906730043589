export { TrainerError, NON_RETRYABLE_TRAINER_CODES, TRAINER_ERRORS } from './errors.js';
export type { TrainerErrorCode, TrainerErrorDetails } from './errors.js';
export { learningRate } from './lr-schedule.js';
export type { LrScheduleSpec } from './lr-schedule.js';
export { checkpointPath, readCheckpoint, writeCheckpoint } from './checkpoint.js';
export type {
  CheckpointIdentity,
  CheckpointState,
  ReadCheckpointOptions,
  RunEffort,
} from './checkpoint.js';
export { trainRun } from './train-run.js';
export type { TrainRunOptions } from './train-run.js';
export { meanAndStdErr } from './eval-stats.js';
export type { MeanWithStdErr } from './eval-stats.js';
export {
  assertDeviceInstalled,
  createSession,
  defaultThreads,
  ortBinaryDir,
  resolveSessionSettings,
  sessionOptions,
} from './session-options.js';
export type { SessionSettings } from './session-options.js';
export { MatmulProbe, measureMatmulPeak } from './matmul-peak.js';
export type { MatmulDims, MatmulDType, MatmulPeak } from './matmul-peak.js';
export { DeviceState } from './device-state.js';
export { initialState, stateBindings } from './step-state.js';
export { DEFAULT_STEPS_PER_RUN, blockGraphOf, stackFeeds } from './step-block.js';
export type { StateBinding } from './device-state.js';
export { scalarFeed, toOrtFeeds } from './ort-feeds.js';
export { runGradcheck } from './gradcheck.js';
export { probeDevice } from './device-probe.js';
export { TF32_OVERRIDE, applyCudaMathMode, cudaMathEnv } from './cuda-math-mode.js';
export type { GradcheckRunOptions } from './gradcheck.js';
export { CudaSetupError } from './errors.js';
export type { CudaSetupErrorCode } from './errors.js';
export {
  CUDA_ENV_MARKER,
  CUDA_PROVIDER_FILES,
  CUDA_RUNTIME_LIBRARIES,
  cudaCandidateDirs,
  cudaProcessEnv,
  cudaProviderInstalled,
  findCudaLibraries,
  loaderCacheLibraries,
  resolveCudaLibraries,
  unresolvedLibraries,
} from './cuda-libraries.js';
export type { CudaLibrarySearch } from './cuda-libraries.js';
export {
  CUDA_PROVIDER_PIN,
  bindingVersion,
  installCudaProvider,
  sha256File,
} from './cuda-provider.js';
export type {
  CudaProviderInstall,
  CudaProviderPin,
  InstallCudaProviderOptions,
  PinnedFile,
} from './cuda-provider.js';
