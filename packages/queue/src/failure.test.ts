import { describe, expect, it } from 'vitest';
import { decodeFailure, encodeFailure } from './failure.js';

describe('failure reasons', () => {
  it('round-trips a code, a step and a multi-line message', () => {
    const failure = { code: 'DIVERGED', step: 12, message: 'loss is NaN\nat step 12' };
    expect(decodeFailure(encodeFailure(failure))).toEqual(failure);
    expect(decodeFailure(encodeFailure({ code: 'CANCELLED', message: 'x' }))).toEqual({
      code: 'CANCELLED',
      step: undefined,
      message: 'x',
    });
  });

  it('reads any other reason as a plain ERROR', () => {
    expect(decodeFailure('job stalled more than allowable limit')).toEqual({
      code: 'ERROR',
      message: 'job stalled more than allowable limit',
    });
    expect(decodeFailure(undefined).code).toBe('ERROR');
  });
});
