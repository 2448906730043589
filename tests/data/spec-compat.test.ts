import { describe, expect, expectTypeOf, it } from 'vitest';
import { validateDataSpec, type DataSpec } from '@isoflop/data';
import type { DataSpec as PlannerDataSpec, SweepSpec } from '@isoflop/planner';

describe("the planner's data spec", () => {
  it('is assignable to the data package input type (checked by tsc -p tsconfig.tests.json)', () => {
    expectTypeOf<PlannerDataSpec>().toExtend<DataSpec>();
    expectTypeOf<SweepSpec['data']>().toExtend<DataSpec>();
  });

  it('validates every corpus kind the planner can emit', () => {
    const specs: PlannerDataSpec[] = [
      { corpus: { kind: 'sotu' }, tokenizer: { kind: 'bpe', vocabSize: 4096 }, valFraction: 0.02 },
      {
        corpus: { kind: 'text', paths: ['/data/a.txt'] },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.05,
      },
      {
        corpus: { kind: 'jsonl', paths: ['/data/a.jsonl'], field: 'text' },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.05,
      },
      {
        corpus: {
          kind: 'shards',
          train: '/d/train.bin',
          val: '/d/val.bin',
          dtype: 'uint16',
          vocabSize: 50_257,
        },
        tokenizer: { kind: 'none' },
        valFraction: 0.02,
      },
    ];
    expect(specs.map((spec) => validateDataSpec(spec).kind)).toEqual([
      'text',
      'text',
      'text',
      'shards',
    ]);
  });
});
