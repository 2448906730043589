import { reportError } from './cli-action.js';
import { registerCommands } from './command-table.js';
import { createProgram } from './program.js';

const program = createProgram();

// Subcommands are listed in src/command-table.ts (one line each) and loaded only when invoked.
await registerCommands(program, process.argv)
  .then(() => program.parseAsync(process.argv))
  .catch(reportError);
