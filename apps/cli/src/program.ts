import { Command, CommanderError } from 'commander';
import { EXIT_BAD_INPUT } from './cli-action.js';

/**
 * The bare `isoflop` program. Commander's own usage errors (unknown option, missing argument) already
 * print `error: ...`; exitOverride maps them to exit code 2 so every bad input exits the same way.
 */
export function createProgram(): Command {
  const program = new Command('isoflop');
  program
    .description(
      'IsoFLOP scaling-law experiments: ARM vs MDM vs MDM-Prime-v2, trained through ONNX Runtime',
    )
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride((error: CommanderError) => {
      const benign =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.help' ||
        error.code === 'commander.version';
      process.exit(benign ? 0 : EXIT_BAD_INPUT);
    });
  return program;
}
