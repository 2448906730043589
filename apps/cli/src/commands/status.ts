import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeDecision, listDecisions, type SweepDecision } from '@isoflop/orchestrator';
import { listSweepStatuses, openStore, RUN_STATES, type SweepStatus } from '@isoflop/store';
import { badInput, runAction } from '../cli-action.js';
import { formatTable } from '../format.js';

interface StatusOptions {
  db: string;
  json?: boolean;
}

/**
 * A sweep's status with what its adaptive step decided: the runs it added with their reasons, and the
 * limits it reached. The keys sit beside the contract's id, name, state and runs, and only once the step
 * has decided something, so a sweep without an `adaptive` block reads exactly as before.
 */
type SweepStatusWithDecisions = SweepStatus & {
  added?: Extract<SweepDecision, { type: 'add' }>[];
  limits?: Extract<SweepDecision, { type: 'limit' }>[];
};

function withDecisions(sweep: SweepStatus, decisions: SweepDecision[]): SweepStatusWithDecisions {
  if (decisions.length === 0) return sweep;
  return {
    ...sweep,
    added: decisions.filter((decision) => decision.type === 'add'),
    limits: decisions.filter((decision) => decision.type === 'limit'),
  };
}

function printTable(sweeps: SweepStatusWithDecisions[]): void {
  const rows = sweeps.map((sweep) => [
    sweep.id,
    sweep.name,
    sweep.state,
    RUN_STATES.filter((state) => sweep.runs[state] !== undefined)
      .map((state) => `${state} ${sweep.runs[state]}`)
      .join(', '),
  ]);
  const lines = [formatTable(['id', 'name', 'state', 'runs'], rows)];
  for (const sweep of sweeps) {
    const added = sweep.added ?? [];
    const decisions = [...added, ...(sweep.limits ?? [])];
    if (decisions.length === 0) continue;
    lines.push(
      '',
      `${sweep.name} (${sweep.id}): ${added.length} run(s) added by the adaptive step`,
    );
    for (const decision of decisions) lines.push(`  ${describeDecision(decision)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function register(program: Command): void {
  program
    .command('status')
    .description('sweeps and their runs per state, newest first (reads the database only)')
    .argument('[sweep]', 'one sweep, by id or name')
    .option('--db <file>', 'SQLite database', 'isoflop.db')
    .option(
      '--json',
      'print {"sweeps": [{"id", "name", "state", "runs": {STATE: COUNT}}]} (adaptive sweeps: also "added", "limits")',
    )
    .action(
      runAction((sweep: string | undefined, options: StatusOptions) => {
        const file = resolve(options.db);
        // An empty list here would read as "no sweeps yet" when the path is simply wrong.
        if (!existsSync(file)) badInput(`--db: no database at ${file}`);
        let sweeps: SweepStatusWithDecisions[];
        const store = openStore(file, { readonly: true });
        try {
          sweeps = listSweepStatuses(store, sweep).map((status) =>
            withDecisions(status, listDecisions(store, status.id)),
          );
        } finally {
          store.close();
        }
        if (options.json) process.stdout.write(`${JSON.stringify({ sweeps })}\n`);
        else printTable(sweeps);
      }),
    );
}
