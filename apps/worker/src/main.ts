import { parseWorkerConfig } from './config.js';
import { runUntilSignalled } from './run-until-signalled.js';

/**
 * `node apps/worker/dist/main.js`: a standalone worker configured by the environment. The first
 * SIGINT/SIGTERM stops taking jobs and checkpoints the running ones; a second one exits at once.
 */
const config = parseWorkerConfig();
const log = (line: string): void =>
  void process.stderr.write(`isoflop worker ${config.name}: ${line}\n`);
runUntilSignalled(config, log).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`isoflop worker: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
