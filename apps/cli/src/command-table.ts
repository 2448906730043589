import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

/**
 * Every subcommand: its top-level name and the module (src/commands/<file>.ts) whose register(program)
 * adds it. Several modules may share a name (`data prepare`, ...). Add one line per command.
 */
export const COMMANDS: readonly { name: string; load: () => Promise<CommandModule> }[] = [
  { name: 'plan', load: () => import('./commands/plan.js') },
  { name: 'fit', load: () => import('./commands/fit.js') },
  { name: 'run', load: () => import('./commands/run.js') },
  { name: 'submit', load: () => import('./commands/submit.js') },
  { name: 'status', load: () => import('./commands/status.js') },
  { name: 'worker', load: () => import('./commands/worker.js') },
  { name: 'cancel', load: () => import('./commands/cancel.js') },
  { name: 'train', load: () => import('./commands/train.js') },
  { name: 'gradcheck', load: () => import('./commands/gradcheck.js') },
  { name: 'data', load: () => import('./commands/data-prepare.js') },
  { name: 'serve', load: () => import('./commands/serve.js') },
  { name: 'export', load: () => import('./commands/export.js') },
  { name: 'bench', load: () => import('./commands/bench.js') },
  { name: 'gpu', load: () => import('./commands/gpu-setup.js') },
  { name: 'doctor', load: () => import('./commands/doctor.js') },
];

/**
 * Register what `argv` can reach: only the invoked command's modules when the first argument names one
 * (so `isoflop plan` never loads ONNX Runtime, BullMQ or Fastify), every command otherwise (--help).
 */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const invoked = COMMANDS.filter((command) => command.name === argv[2]);
  for (const command of invoked.length > 0 ? invoked : COMMANDS) {
    (await command.load()).register(program);
  }
}
