import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { listSweepStatuses, openStore, RUN_STATES, type SweepStatus } from '@isoflop/store';
import { badInput, runAction } from '../cli-action.js';
import { formatTable } from '../format.js';

interface StatusOptions {
  db: string;
  json?: boolean;
}

function printTable(sweeps: SweepStatus[]): void {
  const rows = sweeps.map((sweep) => [
    sweep.id,
    sweep.name,
    sweep.state,
    RUN_STATES.filter((state) => sweep.runs[state] !== undefined)
      .map((state) => `${state} ${sweep.runs[state]}`)
      .join(', '),
  ]);
  process.stdout.write(`${formatTable(['id', 'name', 'state', 'runs'], rows)}\n`);
}

export function register(program: Command): void {
  program
    .command('status')
    .description('sweeps and their runs per state, newest first (reads the database only)')
    .argument('[sweep]', 'one sweep, by id or name')
    .option('--db <file>', 'SQLite database', 'isoflop.db')
    .option('--json', 'print {"sweeps": [{"id", "name", "state", "runs": {STATE: COUNT}}]}')
    .action(
      runAction((sweep: string | undefined, options: StatusOptions) => {
        const file = resolve(options.db);
        // An empty list here would read as "no sweeps yet" when the path is simply wrong.
        if (!existsSync(file)) badInput(`--db: no database at ${file}`);
        let sweeps: SweepStatus[];
        const store = openStore(file, { readonly: true });
        try {
          sweeps = listSweepStatuses(store, sweep);
        } finally {
          store.close();
        }
        if (options.json) process.stdout.write(`${JSON.stringify({ sweeps })}\n`);
        else printTable(sweeps);
      }),
    );
}
