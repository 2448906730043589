import { fileURLToPath } from 'node:url';
import { startTrainWorker, type TrainWorker } from '@isoflop/queue';
import { cudaProcessEnv } from '@isoflop/trainer';
import { workerConfigEnv, type WorkerConfig } from './config.js';

/** The compiled processor that BullMQ forks (always the dist/ file: children run plain node). */
export const PROCESSOR_FILE = fileURLToPath(new URL('../dist/processor.js', import.meta.url));

/** Starts pulling training runs from the queue; each concurrent run trains in its own child process. */
export function startWorker(config: WorkerConfig): Promise<TrainWorker> {
  return startTrainWorker({
    redisUrl: config.redisUrl,
    prefix: config.prefix,
    queueName: config.queueName,
    processorFile: PROCESSOR_FILE,
    name: config.name,
    concurrency: config.concurrency,
    // The forked processors start with the CUDA libraries on their path when the provider is installed.
    processorEnv: { ...cudaProcessEnv(), ...workerConfigEnv(config) },
    lockDurationMs: config.lockDurationMs,
    stalledIntervalMs: config.stalledIntervalMs,
  });
}
