import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { queueLocationFromEnv } from '@isoflop/queue';
import { Coordinator } from '@isoflop/orchestrator';
import { buildServer, DEFAULT_HOST, DEFAULT_PORT, type IsoflopServer } from '@isoflop/server';
import { openStore } from '@isoflop/store';
import { badInput, positiveInt, runAction } from '../cli-action.js';

interface ServeOptions {
  db: string;
  host: string;
  port: number;
  cache: string;
}

async function serve(options: ServeOptions): Promise<void> {
  const token = process.env['ISOFLOP_TOKEN'] || undefined;
  if (token !== undefined && token.length < 16) {
    badInput('ISOFLOP_TOKEN: expected at least 16 characters');
  }
  const { redisUrl, prefix, queueName } = queueLocationFromEnv();
  const file = resolve(options.db);
  // Without Redis there is no coordinator: the server reads the database (dashboard, exports) only.
  if (redisUrl === undefined && !existsSync(file)) badInput(`--db: no database at ${file}`);
  const store = openStore(file, { readonly: redisUrl === undefined });
  let coordinator: Coordinator | undefined;
  let server: IsoflopServer | undefined;
  let url: string;
  try {
    coordinator =
      redisUrl === undefined
        ? undefined
        : await Coordinator.start({ store, redisUrl, prefix, queueName });
    server = await buildServer({
      store,
      coordinator,
      host: options.host,
      port: options.port,
      token,
      dataCacheDir: resolve(options.cache),
    });
    url = await server.listen();
  } catch (error) {
    // An insecure bind or a port in use: stop what started, or a headless coordinator keeps running.
    await server?.close();
    await coordinator?.close();
    store.close();
    throw error;
  }
  process.stdout.write(
    `dashboard: ${url}${coordinator ? '' : '  (read-only: set REDIS_URL to submit and follow sweeps)'}\n`,
  );
  await new Promise<void>((resolveStop) => {
    const stop = (): void => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await coordinator?.close();
  store.close();
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'the HTTP API and the dashboard over a database; with REDIS_URL also the coordinator (submit, cancel, live runs)',
    )
    .option('--db <file>', 'SQLite database', 'isoflop.db')
    .option(
      '--host <address>',
      'address to bind (any but loopback needs ISOFLOP_TOKEN)',
      DEFAULT_HOST,
    )
    .option('--port <n>', 'port', positiveInt('--port'), DEFAULT_PORT)
    .option(
      '--cache <dir>',
      'data cache whose prepared shards are served to remote workers (/api/data/...)',
      '.isoflop',
    )
    .action(runAction(serve, { badInputCodes: ['INSECURE_BIND'] }));
}
