import { describe, expect, it } from 'vitest';
import { validateDataSpec, type DataSpec } from './data-spec.js';
import { DataError } from './errors.js';

function errorOf(spec: DataSpec): DataError {
  try {
    validateDataSpec(spec);
  } catch (error) {
    if (error instanceof DataError) return error;
    throw error;
  }
  throw new Error('expected validateDataSpec to throw');
}

describe('validateDataSpec', () => {
  it('accepts the default corpus with either tokenizer', () => {
    expect(
      validateDataSpec({ corpus: { kind: 'sotu' }, tokenizer: { kind: 'gpt2' }, valFraction: 0.05 })
        .kind,
    ).toBe('text');
    expect(
      validateDataSpec({
        corpus: { kind: 'sotu' },
        tokenizer: { kind: 'bpe', vocabSize: 4096 },
        valFraction: 0.1,
      }),
    ).toEqual({
      kind: 'text',
      corpus: { kind: 'sotu' },
      tokenizer: { kind: 'bpe', vocabSize: 4096 },
      valFraction: 0.1,
    });
  });

  it.each<[string, DataSpec, string]>([
    [
      'valFraction',
      { corpus: { kind: 'sotu' }, tokenizer: { kind: 'gpt2' }, valFraction: 1 },
      'data.valFraction',
    ],
    [
      'bpe vocabulary',
      { corpus: { kind: 'sotu' }, tokenizer: { kind: 'bpe', vocabSize: 200 }, valFraction: 0.1 },
      'data.tokenizer.vocabSize',
    ],
    [
      'relative path',
      {
        corpus: { kind: 'text', paths: ['/abs.txt', 'rel.txt'] },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.1,
      },
      'data.corpus.paths[1]',
    ],
    [
      'no paths',
      {
        corpus: { kind: 'jsonl', paths: [], field: 'text' },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.1,
      },
      'data.corpus.paths',
    ],
    [
      'empty jsonl field',
      {
        corpus: { kind: 'jsonl', paths: ['/a.jsonl'], field: '' },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.1,
      },
      'data.corpus.field',
    ],
    [
      'uint16 shards with too large a vocabulary',
      {
        corpus: {
          kind: 'shards',
          train: '/t.bin',
          val: '/v.bin',
          dtype: 'uint16',
          vocabSize: 70_000,
        },
        tokenizer: { kind: 'none' },
        valFraction: 0.1,
      },
      'data.corpus.vocabSize',
    ],
    [
      'a tokenizer for pre-tokenised shards',
      {
        corpus: {
          kind: 'shards',
          train: '/t.bin',
          val: '/v.bin',
          dtype: 'uint16',
          vocabSize: 50_257,
        },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.1,
      },
      'data.tokenizer.kind',
    ],
    [
      'no tokenizer for text',
      { corpus: { kind: 'sotu' }, tokenizer: { kind: 'none' }, valFraction: 0.1 },
      'data.tokenizer.kind',
    ],
  ])('rejects %s, naming %s', (_, spec, field) => {
    const error = errorOf(spec);
    expect(error.code).toBe('INVALID_DATA_SPEC');
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: expected`)).toBe(true);
  });
});
