import { reportError } from './cli-action.js';
import * as fit from './commands/fit.js';
import * as gradcheck from './commands/gradcheck.js';
import * as plan from './commands/plan.js';
import * as run from './commands/run.js';
import * as status from './commands/status.js';
import * as submit from './commands/submit.js';
import * as train from './commands/train.js';
import * as worker from './commands/worker.js';
import * as cancel from './commands/cancel.js';
import * as dataPrepare from './commands/data-prepare.js';
import * as serve from './commands/serve.js';
import * as exportCommand from './commands/export.js';
import { createProgram } from './program.js';

const program = createProgram();

// One line per subcommand: each lives in src/commands/<name>.ts and exports register(program).
// Every invocation loads every command module, so keep their top-level imports light and load heavy
// packages (onnxruntime-node, bullmq, fastify) inside the action with `await import(...)`.
plan.register(program);
fit.register(program);
run.register(program);
submit.register(program);
status.register(program);
worker.register(program);
cancel.register(program);
train.register(program);
gradcheck.register(program);
dataPrepare.register(program);
serve.register(program);
exportCommand.register(program);

await program.parseAsync(process.argv).catch(reportError);
