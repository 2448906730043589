import { Option, type Command } from 'commander';
import { DEVICES, type Device } from '@isoflop/planner';
import { parseWorkerConfig, runUntilSignalled } from '@isoflop/worker';
import { niceness, positiveInt, runAction } from '../cli-action.js';

interface WorkerOptions {
  concurrency?: number;
  device?: Device;
  threads?: number;
  stepsPerRun?: number;
  nice?: number;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description(
      'train runs from the queue at REDIS_URL until stopped (stateless: start as many as you like)',
    )
    .option(
      '--concurrency <n>',
      'runs trained at once, each in its own process',
      positiveInt('--concurrency'),
    )
    .addOption(
      new Option('--device <device>', 'train on this device instead of each run’s').choices(
        DEVICES,
      ),
    )
    .option('--threads <n>', 'ONNX Runtime threads per run', positiveInt('--threads'))
    .option(
      '--steps-per-run <k>',
      "optimizer steps per ONNX Runtime run, overriding each run's (default: the spec's, else cpu 1, webgpu 1, cuda 32)",
      positiveInt('--steps-per-run'),
    )
    .option(
      '--nice <n>',
      'CPU niceness of the training processes, 0 to 19 (default 10: a background job; 0: as the worker)',
      niceness('--nice'),
    )
    .addHelpText(
      'after',
      `
Environment: REDIS_URL (required), ISOFLOP_CHECKPOINT_DIR (.isoflop/checkpoints; share it between machines
for cross-machine resume), ISOFLOP_DATA_CACHE_DIR (cache root .isoflop; shards in <root>/data/<hash>),
ISOFLOP_NICE, ISOFLOP_QUEUE_PREFIX, ISOFLOP_LOCK_MS, ISOFLOP_STALLED_INTERVAL_MS, ISOFLOP_SHUTDOWN_TIMEOUT_MS. SIGINT/SIGTERM: stop taking runs, checkpoint the running ones, hand them back.`,
    )
    .action(
      runAction(async (options: WorkerOptions) => {
        const config = parseWorkerConfig({
          ...process.env,
          ...(options.concurrency === undefined
            ? {}
            : { ISOFLOP_CONCURRENCY: String(options.concurrency) }),
          ...(options.device === undefined ? {} : { ISOFLOP_DEVICE: options.device }),
          ...(options.threads === undefined ? {} : { ISOFLOP_THREADS: String(options.threads) }),
          ...(options.stepsPerRun === undefined
            ? {}
            : { ISOFLOP_STEPS_PER_RUN: String(options.stepsPerRun) }),
          ...(options.nice === undefined ? {} : { ISOFLOP_NICE: String(options.nice) }),
        });
        await runUntilSignalled(config, (line) =>
          process.stderr.write(`isoflop worker ${config.name}: ${line}\n`),
        );
      }),
    );
}
