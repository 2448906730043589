import type { WorkerConfig } from './config.js';
import { startWorker } from './start-worker.js';

/**
 * Runs a worker until SIGINT or SIGTERM: the first stops taking runs and hands the running ones back,
 * checkpointed; a second exits at once (130). The handlers go in before the worker starts, because it may
 * take a run before `startWorker` resolves: a Ctrl-C in that first second used to kill it outright.
 * Resolves once the worker has closed.
 */
export async function runUntilSignalled(
  config: WorkerConfig,
  log: (line: string) => void,
): Promise<void> {
  let signalled = false;
  let onSignal: (() => void) | undefined;
  const stopped = new Promise<void>((resolveStop) => (onSignal = resolveStop));
  const stop = (signal: NodeJS.Signals): void => {
    if (signalled) process.exit(130);
    signalled = true;
    log(`${signal}, checkpointing and stopping (again to force)`);
    onSignal?.();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const worker = await startWorker(config);
    if (!signalled) log(`concurrency ${config.concurrency}, waiting for runs`);
    await stopped;
    await worker.close(config.shutdownTimeoutMs);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
