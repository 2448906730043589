import { reportError } from './cli-action.js';
import * as fit from './commands/fit.js';
import * as plan from './commands/plan.js';
import { createProgram } from './program.js';

const program = createProgram();

// One line per subcommand: each lives in src/commands/<name>.ts and exports register(program).
plan.register(program);
fit.register(program);

await program.parseAsync(process.argv).catch(reportError);
