import { afterEach, describe, expect, it, vi } from 'vitest';
import { DATA_ERRORS } from '@isoflop/data';
import { FIT_ERRORS } from '@isoflop/fit';
import { ORCHESTRATOR_ERRORS } from '@isoflop/orchestrator';
import { SpecError } from '@isoflop/planner';
import { NON_RETRYABLE_TRAINER_CODES, TRAINER_ERRORS } from '@isoflop/trainer';
import {
  BAD_INPUT_CODES,
  EXIT_BAD_INPUT,
  EXIT_FAILURE,
  exitCodeFor,
  inputCodesOf,
  niceness,
  positiveInt,
  runAction,
} from './cli-action.js';
import { CliError } from './errors.js';

describe('exitCodeFor', () => {
  it('is 2 for bad input (CliError BAD_INPUT, SpecError, listed codes) and 1 for anything else', () => {
    expect(exitCodeFor(new CliError('BAD_INPUT', 'x'))).toBe(EXIT_BAD_INPUT);
    expect(exitCodeFor(new SpecError([{ path: 'seqLen', message: 'expected number' }]))).toBe(
      EXIT_BAD_INPUT,
    );
    expect(
      exitCodeFor(Object.assign(new Error('x'), { code: 'INVALID_DATA_SPEC' }), [
        'INVALID_DATA_SPEC',
      ]),
    ).toBe(EXIT_BAD_INPUT);
    expect(exitCodeFor(new CliError('FAILED', 'x'))).toBe(EXIT_FAILURE);
    expect(exitCodeFor(new Error('boom'))).toBe(EXIT_FAILURE);
    expect(exitCodeFor('not an error')).toBe(EXIT_FAILURE);
  });
});

describe('the bad-input codes, derived from what each code declares', () => {
  it('are the codes each command exits 2 for', () => {
    expect(BAD_INPUT_CODES).toEqual(['BAD_INPUT', 'INVALID_SPEC']);
    expect(inputCodesOf(DATA_ERRORS)).toEqual([
      'INVALID_DATA_SPEC',
      'CORPUS_NOT_FOUND',
      'NOT_A_FILE',
      'FILE_TOO_LARGE',
      'BAD_CORPUS',
    ]);
    expect(inputCodesOf(TRAINER_ERRORS).sort()).toEqual(
      ['BAD_CHECKPOINT', 'DEVICE_UNAVAILABLE', 'INVALID_OPTIONS', 'SHAPE_REJECTED'].sort(),
    );
    expect(inputCodesOf(FIT_ERRORS)).toEqual(['INVALID_OPTION', 'INVALID_ROWS', 'NOTHING_TO_FIT']);
    expect(inputCodesOf(ORCHESTRATOR_ERRORS)).toEqual(['SWEEP_NOT_FOUND']);
    // The worker's retry rule reads the same table: everything but the transient ABORTED is final.
    expect([...NON_RETRYABLE_TRAINER_CODES].sort()).toEqual(
      [
        'BAD_CHECKPOINT',
        'DEVICE_UNAVAILABLE',
        'DIVERGED',
        'INVALID_OPTIONS',
        'SHAPE_REJECTED',
      ].sort(),
    );
  });

  it('are typed against the code unions, so a misspelt code does not compile', () => {
    // @ts-expect-error: 'SWEEP_NOT_FOUNd' is no error code of ours.
    expect(exitCodeFor(new Error('x'), ['SWEEP_NOT_FOUNd'])).toBe(EXIT_FAILURE);
  });
});

describe('runAction', () => {
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  it('prints `error: <message>` on stderr and sets the exit code instead of throwing', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    await runAction(() => {
      throw new SpecError([{ path: 'budgets[0]', message: 'expected number to be >0' }]);
    })();
    expect(process.exitCode).toBe(2);
    expect(written.join('')).toBe(
      'error: invalid sweep spec:\n  budgets[0]: expected number to be >0\n',
    );

    written.length = 0;
    await runAction(async () => {
      throw new Error('redis went away');
    })();
    expect(process.exitCode).toBe(1);
    expect(written.join('')).toBe('error: redis went away\n');
  });

  it('passes arguments through and leaves the exit code alone on success', async () => {
    let seen: unknown[] = [];
    await runAction((a: string, b: number) => {
      seen = [a, b];
    })('spec.yaml', 3);
    expect(seen).toEqual(['spec.yaml', 3]);
    expect(process.exitCode).toBeUndefined();
  });
});

describe('positiveInt', () => {
  it('parses positive integers and names the option otherwise', () => {
    expect(positiveInt('--workers')('4')).toBe(4);
    expect(() => positiveInt('--workers')('0')).toThrow(
      "--workers: expected a positive integer, got '0'",
    );
    expect(() => positiveInt('--workers')('2.5')).toThrow(CliError);
  });
});

describe('niceness', () => {
  it('parses 0 to 19 and names the option otherwise', () => {
    expect(niceness('--nice')('0')).toBe(0);
    expect(niceness('--nice')('19')).toBe(19);
    for (const bad of ['-1', '20', '2.5', 'low']) {
      expect(() => niceness('--nice')(bad)).toThrow(
        `--nice: expected an integer from 0 to 19, got '${bad}'`,
      );
    }
  });
});
