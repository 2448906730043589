export { CLI_ERRORS, CliError, type CliErrorCode } from './errors.js';
export {
  BAD_INPUT_CODES,
  EXIT_BAD_INPUT,
  EXIT_FAILURE,
  badInput,
  exitCodeFor,
  positiveInt,
  reportError,
  runAction,
} from './cli-action.js';
export { createProgram } from './program.js';
export { loadSweepSpec } from './load-spec.js';
