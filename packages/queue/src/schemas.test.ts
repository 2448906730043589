import type { RunResult } from '@isoflop/planner';
import { describe, expect, it } from 'vitest';
import { parseRunResult, parseTrainProgress } from './schemas.js';

const result: RunResult = {
  runId: 'r1',
  family: 'mdm-prime-v2',
  valLoss: 3.5,
  valLossStdErr: 0.01,
  primeObjective: 3.1,
  primeObjectiveStdErr: 0.02,
  finalTrainLoss: 3.6,
  steps: 10,
  tokens: 4096,
  wallSeconds: 2,
  tokensPerSecond: 2048,
};

describe('the queue checks runs against the planner-owned contracts', () => {
  it('keeps every field of a RunResult (the schema and the type are one)', () => {
    expect(parseRunResult(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });

  it('refuses, at compile time, a result field the contract does not name', () => {
    // @ts-expect-error: `bestLoss` is not part of RunResult; add it to runResultSchema to send it.
    const extended: RunResult = { ...result, bestLoss: 3.4 };
    expect(extended.runId).toBe('r1');
  });

  it("carries a diverging step's NaN loss as null, and names the field of a bad report", () => {
    const wire = JSON.parse(
      JSON.stringify({
        kind: 'train',
        runId: 'r1',
        step: 3,
        steps: 10,
        tokens: 100,
        loss: Number.NaN,
        lr: 1e-3,
        tokensPerSecond: 50,
        gradNorm: Number.NaN,
      }),
    ) as unknown;
    expect(parseTrainProgress(wire)).toMatchObject({ kind: 'train', loss: null, gradNorm: null });
    expect(() => parseTrainProgress({ kind: 'eval', runId: 'r1', step: 'x' })).toThrow(
      /invalid job progress: step: /,
    );
  });
});
