import { afterEach, describe, expect, it, vi } from 'vitest';
import { SpecError } from '@isoflop/planner';
import { EXIT_BAD_INPUT, EXIT_FAILURE, exitCodeFor, positiveInt, runAction } from './cli-action.js';
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
