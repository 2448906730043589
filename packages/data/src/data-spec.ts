import { isAbsolute } from 'node:path';
import { DataError } from './errors.js';

/*
 * Structural copies of the planner's data types (data may not import planner). The planner's
 * `DataSpec` must stay assignable to this one; `tests/data/spec-compat.test.ts` checks it.
 */

export type ShardDtype = 'uint16' | 'uint32';

export type CorpusSpec =
  | { readonly kind: 'sotu' }
  | { readonly kind: 'text'; readonly paths: readonly string[] }
  | { readonly kind: 'jsonl'; readonly paths: readonly string[]; readonly field: string }
  | {
      readonly kind: 'shards';
      readonly train: string;
      readonly val: string;
      readonly dtype: ShardDtype;
      readonly vocabSize: number;
    };

export type TokenizerSpec =
  | { readonly kind: 'gpt2' }
  | { readonly kind: 'bpe'; readonly vocabSize: number }
  | { readonly kind: 'none' };

export interface DataSpec {
  readonly corpus: CorpusSpec;
  readonly tokenizer: TokenizerSpec;
  /** Fraction of the corpus (in bytes of text) held out for validation, by document. */
  readonly valFraction: number;
}

export type TextCorpusSpec = Exclude<CorpusSpec, { kind: 'shards' }>;
export type ShardsCorpusSpec = Extract<CorpusSpec, { kind: 'shards' }>;
export type TextTokenizerSpec = Exclude<TokenizerSpec, { kind: 'none' }>;

/** A spec that passed validation, split by whether the corpus still needs tokenising. */
export type ValidDataSpec =
  | {
      readonly kind: 'text';
      readonly corpus: TextCorpusSpec;
      readonly tokenizer: TextTokenizerSpec;
      readonly valFraction: number;
    }
  | { readonly kind: 'shards'; readonly corpus: ShardsCorpusSpec };

/** 256 byte symbols plus the end-of-text token: a byte-level BPE with no merges at all. */
export const MIN_BPE_VOCAB = 257;
/** Token ids above this do not fit a uint16 shard. */
export const UINT16_VOCAB_LIMIT = 65_536;

function fail(field: string, message: string): never {
  throw new DataError('INVALID_DATA_SPEC', message, { field });
}

function checkPaths(paths: readonly string[], field: string): void {
  if (paths.length === 0) fail(field, 'expected at least one file');
  paths.forEach((path, index) => checkPath(path, `${field}[${index}]`));
}

function checkPath(path: string, field: string): void {
  if (typeof path !== 'string' || path.length === 0) fail(field, 'expected a file path');
  if (!isAbsolute(path)) {
    fail(field, `expected an absolute path (resolve it against the spec file), got '${path}'`);
  }
}

/**
 * Rejects a spec that the types allow but preparation cannot honour, naming the field (under `data.`)
 * and what was expected. Runs before anything is read or written.
 */
export function validateDataSpec(spec: DataSpec): ValidDataSpec {
  const { corpus, tokenizer, valFraction } = spec;
  if (!(Number.isFinite(valFraction) && valFraction > 0 && valFraction < 1)) {
    fail('data.valFraction', `expected a number in (0, 1), got ${String(valFraction)}`);
  }
  switch (tokenizer.kind) {
    case 'gpt2':
    case 'none':
      break;
    case 'bpe':
      if (
        !Number.isInteger(tokenizer.vocabSize) ||
        tokenizer.vocabSize < MIN_BPE_VOCAB ||
        tokenizer.vocabSize > UINT16_VOCAB_LIMIT
      ) {
        fail(
          'data.tokenizer.vocabSize',
          `expected an integer in [${MIN_BPE_VOCAB}, ${UINT16_VOCAB_LIMIT}], got ${String(tokenizer.vocabSize)}`,
        );
      }
      break;
    default:
      fail('data.tokenizer.kind', "expected 'gpt2', 'bpe' or 'none'");
  }
  switch (corpus.kind) {
    case 'sotu':
      break;
    case 'text':
      checkPaths(corpus.paths, 'data.corpus.paths');
      break;
    case 'jsonl':
      checkPaths(corpus.paths, 'data.corpus.paths');
      if (typeof corpus.field !== 'string' || corpus.field.length === 0) {
        fail('data.corpus.field', 'expected the name of the JSON field that holds the text');
      }
      break;
    case 'shards':
      checkPath(corpus.train, 'data.corpus.train');
      checkPath(corpus.val, 'data.corpus.val');
      if (corpus.dtype !== 'uint16' && corpus.dtype !== 'uint32') {
        fail('data.corpus.dtype', `expected 'uint16' or 'uint32', got '${String(corpus.dtype)}'`);
      }
      if (
        !Number.isInteger(corpus.vocabSize) ||
        corpus.vocabSize < 2 ||
        (corpus.dtype === 'uint16' && corpus.vocabSize > UINT16_VOCAB_LIMIT)
      ) {
        fail(
          'data.corpus.vocabSize',
          `expected an integer >= 2${corpus.dtype === 'uint16' ? ` and <= ${UINT16_VOCAB_LIMIT} for uint16` : ''}, got ${String(corpus.vocabSize)}`,
        );
      }
      break;
    default:
      fail('data.corpus.kind', "expected 'sotu', 'text', 'jsonl' or 'shards'");
  }
  if (corpus.kind === 'shards') {
    if (tokenizer.kind !== 'none') {
      fail('data.tokenizer.kind', "expected 'none' for a pre-tokenised 'shards' corpus");
    }
    return { kind: 'shards', corpus };
  }
  if (tokenizer.kind === 'none') {
    fail('data.tokenizer.kind', `expected 'gpt2' or 'bpe' for a '${corpus.kind}' text corpus`);
  }
  return { kind: 'text', corpus, tokenizer, valFraction };
}
