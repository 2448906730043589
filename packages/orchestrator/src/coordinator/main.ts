import { resolve } from 'node:path';
import { queueLocationFromEnv } from '@isoflop/queue';
import { openStore } from '@isoflop/store';
import { Coordinator } from './coordinator.js';

/**
 * `node packages/orchestrator/dist/coordinator/main.js`: the coordinator alone, without HTTP (`isoflop serve` runs it
 * with the dashboard). Reads REDIS_URL, ISOFLOP_DB (default ./isoflop.db), ISOFLOP_QUEUE_PREFIX.
 */
const { redisUrl, prefix, queueName } = queueLocationFromEnv();
if (redisUrl === undefined) {
  process.stderr.write('isoflop coordinator: REDIS_URL: required, e.g. redis://127.0.0.1:6379\n');
  process.exit(2);
}
const store = openStore(resolve(process.env['ISOFLOP_DB'] || 'isoflop.db'));
const coordinator = await Coordinator.start({ store, redisUrl, prefix, queueName });
process.stderr.write('isoflop coordinator: following the queue\n');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    coordinator.close().then(
      () => {
        store.close();
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`isoflop coordinator: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  });
}
