import type { DataErrorCode } from '@isoflop/data';
import type { FitErrorCode } from '@isoflop/fit';
import type { OrchestratorErrorCode } from '@isoflop/orchestrator';
import { PLANNER_ERRORS, type PlannerErrorCode } from '@isoflop/planner';
import type { QueueErrorCode } from '@isoflop/queue';
import type { ServerErrorCode } from '@isoflop/server';
import type { StoreErrorCode } from '@isoflop/store';
import type { CudaSetupErrorCode, TrainerErrorCode } from '@isoflop/trainer';
import { MAX_NICE } from '@isoflop/trainer/process-priority';
import { CLI_ERRORS, CliError, type CliErrorCode } from './errors.js';

export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** Every error code a command can meet: the lists below are typed against it, so a misspelt code fails. */
export type ErrorCode =
  | CliErrorCode
  | DataErrorCode
  | FitErrorCode
  | OrchestratorErrorCode
  | PlannerErrorCode
  | QueueErrorCode
  | ServerErrorCode
  | StoreErrorCode
  | TrainerErrorCode
  | CudaSetupErrorCode;

/** The codes of a package's error table whose declared kind is `input` (the user's input is wrong). */
export function inputCodesOf<C extends ErrorCode>(table: Record<C, { kind: string }>): C[] {
  return (Object.keys(table) as C[]).filter((code) => table[code].kind === 'input');
}

/**
 * Error codes that mean "the user's input is wrong" rather than "something broke", for every command.
 * Commands add the input codes of the packages they drive through `runAction`'s options.
 */
export const BAD_INPUT_CODES: readonly ErrorCode[] = [
  ...inputCodesOf(CLI_ERRORS),
  ...inputCodesOf(PLANNER_ERRORS),
];

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** The exit code for an error thrown by a command: 2 for bad input, 1 for anything else. */
export function exitCodeFor(
  error: unknown,
  badInputCodes: readonly ErrorCode[] = BAD_INPUT_CODES,
): number {
  const code = errorCode(error);
  return code !== undefined && (badInputCodes as readonly string[]).includes(code)
    ? EXIT_BAD_INPUT
    : EXIT_FAILURE;
}

/** Print `error: <message>` to stderr and set the process exit code (no process.exit: stdout still flushes). */
export function reportError(error: unknown, badInputCodes?: readonly ErrorCode[]): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  if (process.env['ISOFLOP_DEBUG'] && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exitCode = exitCodeFor(error, badInputCodes);
}

/**
 * Wrap a commander action so that any thrown error becomes `error: <message>` on stderr with exit code
 * 2 (bad input: CliError 'BAD_INPUT' or a code in `badInputCodes`) or 1 (failure).
 */
export function runAction<A extends unknown[]>(
  action: (...args: A) => Promise<void> | void,
  options: { badInputCodes?: readonly ErrorCode[] } = {},
): (...args: A) => Promise<void> {
  const badInputCodes = [...BAD_INPUT_CODES, ...(options.badInputCodes ?? [])];
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      reportError(error, badInputCodes);
    }
  };
}

/** Throw a bad-input error from inside a command action. */
export function badInput(message: string): never {
  throw new CliError('BAD_INPUT', message);
}

/** Parse a positive integer option value, or report which option is wrong (for commander's argParser). */
export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0) {
      throw new CliError('BAD_INPUT', `${name}: expected a positive integer, got '${value}'`);
    }
    return parsed;
  };
}

/** A `--nice` value: the niceness training lowers itself to, as an unprivileged process can set it. */
export function niceness(name: string): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > MAX_NICE) {
      throw new CliError(
        'BAD_INPUT',
        `${name}: expected an integer from 0 to ${MAX_NICE}, got '${value}'`,
      );
    }
    return parsed;
  };
}
