import { parseWorkerConfig } from './config.js';
import { startWorker } from './start-worker.js';

/**
 * `node apps/worker/dist/main.js`: a standalone worker configured by the environment. The first
 * SIGINT/SIGTERM stops taking jobs and checkpoints the running ones; a second one exits at once.
 */
const config = parseWorkerConfig();
const worker = await startWorker(config);
process.stderr.write(
  `isoflop worker ${config.name}: concurrency ${config.concurrency}, queue ${config.queueName}\n`,
);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`isoflop worker ${config.name}: ${signal}, checkpointing and stopping\n`);
    worker.close(config.shutdownTimeoutMs).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`isoflop worker: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  });
}
