import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ORCHESTRATOR_ERRORS, runsCsv, sweepExport } from '@isoflop/orchestrator';
import { openStore } from '@isoflop/store';
import { badInput, inputCodesOf, runAction } from '../cli-action.js';

interface ExportOptions {
  db: string;
  format: 'json' | 'csv';
}

export function register(program: Command): void {
  program
    .command('export')
    .description('a stored sweep: the fit document and every run (json), or the runs table (csv)')
    .argument('<sweep>', 'the sweep, by id or name')
    .addOption(
      new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'),
    )
    .option('--db <file>', 'SQLite database', 'isoflop.db')
    .action(
      runAction(
        (sweep: string, options: ExportOptions) => {
          const file = resolve(options.db);
          if (!existsSync(file)) badInput(`--db: no database at ${file}`);
          const store = openStore(file, { readonly: true });
          try {
            const exported = sweepExport(store, sweep);
            process.stdout.write(
              options.format === 'csv' ? runsCsv(exported.runs) : `${JSON.stringify(exported)}\n`,
            );
          } finally {
            store.close();
          }
        },
        { badInputCodes: inputCodesOf(ORCHESTRATOR_ERRORS) },
      ),
    );
}
