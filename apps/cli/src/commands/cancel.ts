import { resolve } from 'node:path';
import type { Command } from 'commander';
import { queueLocationFromEnv } from '@isoflop/queue';
import { Coordinator, ORCHESTRATOR_ERRORS } from '@isoflop/orchestrator';
import { openStore } from '@isoflop/store';
import { badInput, inputCodesOf, runAction } from '../cli-action.js';
import { ServerClient } from '../server-client.js';

interface CancelOptions {
  db: string;
  server?: string;
}

/** Through a running `isoflop serve`: its coordinator stays the database's only writer. */
async function cancelOnServer(sweep: string, server: string): Promise<void> {
  const client = ServerClient.connect(server, process.env['ISOFLOP_TOKEN']);
  const summary = await client.cancel(sweep);
  process.stdout.write(
    `cancelled sweep ${summary.id}: ${summary.runs['cancelled'] ?? 0} run(s) cancelled, state ${summary.state}\n`,
  );
}

export function register(program: Command): void {
  program
    .command('cancel')
    .description(
      'cancel a sweep: waiting runs leave the queue at REDIS_URL, training ones stop at their next step',
    )
    .argument('<sweep>', 'sweep id or name')
    .option(
      '--server <url>',
      'cancel through the running `isoflop serve` at this URL (default: $ISOFLOP_SERVER)',
      process.env['ISOFLOP_SERVER'],
    )
    .option('--db <file>', 'SQLite database (without --server)', 'isoflop.db')
    .action(
      runAction(
        async (sweep: string, options: CancelOptions) => {
          if (options.server) return cancelOnServer(sweep, options.server);
          const { redisUrl, prefix, queueName } = queueLocationFromEnv();
          if (redisUrl === undefined) badInput('REDIS_URL: required for cancel');
          const store = openStore(resolve(options.db));
          const coordinator = Coordinator.open({ store, redisUrl, prefix, queueName });
          try {
            const { sweepId, cancelled } = await coordinator.cancel(sweep);
            process.stdout.write(`cancelled sweep ${sweepId}: ${cancelled} run(s) stopped\n`);
          } finally {
            await coordinator.close();
            store.close();
          }
        },
        { badInputCodes: inputCodesOf(ORCHESTRATOR_ERRORS) },
      ),
    );
}
