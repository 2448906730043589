import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { DEVICES } from '@isoflop/planner';
import { DEFAULT_PREFIX, TRAIN_QUEUE } from '@isoflop/queue';
import { DEFAULT_TRAINING_NICE, MAX_NICE } from '@isoflop/trainer/process-priority';
import { z } from 'zod';
import { WorkerError } from './errors.js';

const positiveInt = z.coerce.number().int().positive();

/** Every setting of a worker, read from the environment (ISOFLOP_*) and overridable by the CLI. */
const workerEnvSchema = z.object({
  REDIS_URL: z.string({
    error: 'required: the Redis that holds the queue, e.g. redis://127.0.0.1:6379',
  }),
  ISOFLOP_QUEUE_PREFIX: z.string().min(1).default(DEFAULT_PREFIX),
  ISOFLOP_QUEUE_NAME: z.string().min(1).default(TRAIN_QUEUE),
  ISOFLOP_CONCURRENCY: positiveInt.default(1),
  ISOFLOP_DEVICE: z.enum(DEVICES).optional(),
  ISOFLOP_THREADS: positiveInt.optional(),
  ISOFLOP_STEPS_PER_RUN: positiveInt.optional(),
  // The niceness of the training processes: a background job's, so the dashboard and the worker's own
  // lock renewals get the cores when they need them (0: as the worker).
  ISOFLOP_NICE: z.coerce
    .number()
    .int()
    .min(0, { error: `expected an integer from 0 to ${MAX_NICE}` })
    .max(MAX_NICE, { error: `expected an integer from 0 to ${MAX_NICE}` })
    .default(DEFAULT_TRAINING_NICE),
  ISOFLOP_CHECKPOINT_DIR: z.string().min(1).default('.isoflop/checkpoints'),
  // The cache root shared with `isoflop data prepare` and `isoflop train`: shards land in <root>/data/<hash>.
  ISOFLOP_DATA_CACHE_DIR: z.string().min(1).default('.isoflop'),
  // A server (\`isoflop serve\`) to download prepared shards from when the corpus is not on this machine.
  ISOFLOP_SERVER: z.url().optional(),
  ISOFLOP_TOKEN: z.string().min(1).optional(),
  ISOFLOP_WORKER_NAME: z.string().min(1).optional(),
  ISOFLOP_LOCK_MS: positiveInt.default(30_000),
  // How often this worker looks for runs whose worker died (BullMQ's stall check); default: the lock's.
  ISOFLOP_STALLED_INTERVAL_MS: positiveInt.optional(),
  ISOFLOP_SHUTDOWN_TIMEOUT_MS: positiveInt.default(60_000),
});

export interface WorkerConfig {
  redisUrl: string;
  prefix: string;
  queueName: string;
  concurrency: number;
  /** Overrides each run's device (a spec planned for cuda trained on this machine's cpu, say). */
  device: (typeof DEVICES)[number] | undefined;
  threads: number | undefined;
  /** Overrides each run's optimizer steps per ONNX Runtime run (K). */
  stepsPerRun: number | undefined;
  /** The niceness each training process lowers itself to (lowerTrainingPriority). */
  nice: number;
  checkpointDir: string;
  dataCacheDir: string;
  /** Prepared shards come from here when the corpus is not on this machine. */
  dataServer: { url: string; token: string | undefined } | undefined;
  name: string;
  lockDurationMs: number;
  stalledIntervalMs: number | undefined;
  shutdownTimeoutMs: number;
}

/** Parses the worker's environment; a bad value fails fast naming the variable. */
export function parseWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = workerEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new WorkerError(
      'BAD_CONFIG',
      `invalid worker configuration:\n  ${problems.join('\n  ')}`,
      {
        cause: parsed.error,
      },
    );
  }
  const e = parsed.data;
  return {
    redisUrl: e.REDIS_URL,
    prefix: e.ISOFLOP_QUEUE_PREFIX,
    queueName: e.ISOFLOP_QUEUE_NAME,
    concurrency: e.ISOFLOP_CONCURRENCY,
    device: e.ISOFLOP_DEVICE,
    threads: e.ISOFLOP_THREADS,
    stepsPerRun: e.ISOFLOP_STEPS_PER_RUN,
    nice: e.ISOFLOP_NICE,
    checkpointDir: resolve(e.ISOFLOP_CHECKPOINT_DIR),
    dataCacheDir: resolve(e.ISOFLOP_DATA_CACHE_DIR),
    dataServer:
      e.ISOFLOP_SERVER === undefined
        ? undefined
        : { url: e.ISOFLOP_SERVER, token: e.ISOFLOP_TOKEN },
    name: e.ISOFLOP_WORKER_NAME ?? `${hostname()}:${process.pid}`,
    lockDurationMs: e.ISOFLOP_LOCK_MS,
    stalledIntervalMs: e.ISOFLOP_STALLED_INTERVAL_MS,
    shutdownTimeoutMs: e.ISOFLOP_SHUTDOWN_TIMEOUT_MS,
  };
}

/** The environment that hands a config to the forked processors (they re-parse it). */
export function workerConfigEnv(config: WorkerConfig): Record<string, string> {
  return {
    REDIS_URL: config.redisUrl,
    ISOFLOP_QUEUE_PREFIX: config.prefix,
    ISOFLOP_QUEUE_NAME: config.queueName,
    ISOFLOP_CHECKPOINT_DIR: config.checkpointDir,
    ISOFLOP_DATA_CACHE_DIR: config.dataCacheDir,
    ISOFLOP_NICE: String(config.nice),
    ...(config.dataServer === undefined ? {} : { ISOFLOP_SERVER: config.dataServer.url }),
    ...(config.dataServer?.token === undefined ? {} : { ISOFLOP_TOKEN: config.dataServer.token }),
    ISOFLOP_WORKER_NAME: config.name,
    ...(config.device === undefined ? {} : { ISOFLOP_DEVICE: config.device }),
    ...(config.threads === undefined ? {} : { ISOFLOP_THREADS: String(config.threads) }),
    ...(config.stepsPerRun === undefined
      ? {}
      : { ISOFLOP_STEPS_PER_RUN: String(config.stepsPerRun) }),
  };
}
