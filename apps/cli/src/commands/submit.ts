import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { queueLocationFromEnv } from '@isoflop/queue';
import { Coordinator } from '@isoflop/server';
import { openStore } from '@isoflop/store';
import { badInput, runAction } from '../cli-action.js';
import { loadSweepSpec } from '../load-spec.js';

interface SubmitOptions {
  db: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('submit')
    .description(
      'store a sweep and enqueue its runs at REDIS_URL, for the workers and the `isoflop serve` coordinator of a shared deployment',
    )
    .argument(
      '<spec>',
      'sweep spec file (YAML, or JSON by .json extension); corpus paths are relative to it',
    )
    .option('--db <file>', 'SQLite database of the deployment', 'isoflop.db')
    .option('--json', 'print {"sweepId", "runs", "created"}')
    .action(
      runAction(async (specPath: string, options: SubmitOptions) => {
        loadSweepSpec(specPath);
        const { redisUrl, prefix, queueName } = queueLocationFromEnv();
        if (redisUrl === undefined)
          badInput('REDIS_URL: required for submit (isoflop run starts its own Redis)');
        const absolute = resolve(specPath);
        const store = openStore(resolve(options.db));
        const coordinator = Coordinator.open({ store, redisUrl, prefix, queueName });
        try {
          const { sweepId, plan, created } = await coordinator.submit(
            readFileSync(absolute, 'utf8'),
            extname(absolute).toLowerCase() === '.json' ? 'json' : 'yaml',
            { baseDir: dirname(absolute) },
          );
          if (options.json) {
            process.stdout.write(
              `${JSON.stringify({ sweepId, runs: plan.runs.length, created })}\n`,
            );
          } else {
            process.stdout.write(
              `${created ? 'submitted' : 'resubmitted'} sweep ${plan.sweepName} (${sweepId}): ${plan.runs.length} runs\n`,
            );
          }
        } finally {
          await coordinator.close();
          store.close();
        }
      }),
    );
}
