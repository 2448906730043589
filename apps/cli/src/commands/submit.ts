import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { queueLocationFromEnv } from '@isoflop/queue';
import { Coordinator } from '@isoflop/orchestrator';
import { openStore } from '@isoflop/store';
import { badInput, runAction } from '../cli-action.js';
import { loadSweepSpec } from '../load-spec.js';
import { ServerClient, type SubmittedSweep } from '../server-client.js';

interface SubmitOptions {
  db: string;
  server?: string;
  json?: boolean;
}

function report(submitted: SubmittedSweep, json: boolean | undefined): void {
  const { sweepId, sweepName, runs, created } = submitted;
  process.stdout.write(
    json
      ? `${JSON.stringify({ sweepId, runs, created })}\n`
      : `${created ? 'submitted' : 'resubmitted'} sweep ${sweepName} (${sweepId}): ${runs} runs\n`,
  );
}

/** Through a running `isoflop serve`: its coordinator stays the database's only writer. */
async function submitToServer(specPath: string, options: SubmitOptions & { server: string }) {
  const { spec } = loadSweepSpec(specPath);
  const client = ServerClient.connect(options.server, process.env['ISOFLOP_TOKEN']);
  report(await client.submit(spec), options.json);
}

export function register(program: Command): void {
  program
    .command('submit')
    .description(
      'store a sweep and enqueue its runs: through a running `isoflop serve` (--server), or directly in --db and at REDIS_URL',
    )
    .argument(
      '<spec>',
      'sweep spec file (YAML, or JSON by .json extension); corpus paths are relative to it',
    )
    .option(
      '--server <url>',
      'submit through the running `isoflop serve` at this URL (default: $ISOFLOP_SERVER); mutations send $ISOFLOP_TOKEN',
      process.env['ISOFLOP_SERVER'],
    )
    .option('--db <file>', 'SQLite database of the deployment (without --server)', 'isoflop.db')
    .option('--json', 'print {"sweepId", "runs", "created"}')
    .action(
      runAction(async (specPath: string, options: SubmitOptions) => {
        if (options.server) return submitToServer(specPath, { ...options, server: options.server });
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
          report(
            { sweepId, sweepName: plan.sweepName, runs: plan.runs.length, created },
            options.json,
          );
        } finally {
          await coordinator.close();
          store.close();
        }
      }),
    );
}
