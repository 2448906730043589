import { resolve } from 'node:path';
import type { Command } from 'commander';
import { queueLocationFromEnv } from '@isoflop/queue';
import { Coordinator } from '@isoflop/server';
import { openStore } from '@isoflop/store';
import { badInput, runAction } from '../cli-action.js';

export function register(program: Command): void {
  program
    .command('cancel')
    .description(
      'cancel a sweep: waiting runs leave the queue at REDIS_URL, training ones stop at their next step',
    )
    .argument('<sweep>', 'sweep id or name')
    .option('--db <file>', 'SQLite database', 'isoflop.db')
    .action(
      runAction(
        async (sweep: string, options: { db: string }) => {
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
        { badInputCodes: ['SWEEP_NOT_FOUND'] },
      ),
    );
}
