import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSweepSpec } from './parse-sweep-spec.js';
import { planSweep } from './plan-sweep.js';

// The run ids of the repository's specs as planned before variants existed (commit 00babd7), and those
// specs as they were then (the quickstart has since become adaptive, with a variant). Ids key the queue,
// the store and checkpoints: a spec that names no variant must keep every one of them.
const before = JSON.parse(
  readFileSync(new URL('../fixtures/experiment-run-ids.json', import.meta.url), 'utf8'),
) as Record<string, string[]>;

describe('run ids across the introduction of variants', () => {
  for (const [file, ids] of Object.entries(before)) {
    it(`keeps every run id of experiments/${file} as of 00babd7`, () => {
      const text = readFileSync(
        new URL(`../fixtures/experiments-00babd7/${file}`, import.meta.url),
        'utf8',
      );
      expect(planSweep(parseSweepSpec(text)).runs.map((run) => run.id)).toEqual(ids);
    });
  }
});
