export { WORKER_ERRORS, WorkerError, type WorkerErrorCode } from './errors.js';
export { parseWorkerConfig, workerConfigEnv, type WorkerConfig } from './config.js';
export { PROCESSOR_FILE, startWorker } from './start-worker.js';
export { runUntilSignalled } from './run-until-signalled.js';
