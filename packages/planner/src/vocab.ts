import type { CorpusSpec, TokenizerSpec } from './run-spec.js';

/** GPT-2 BPE vocabulary size (paper-notes 7.1). */
export const GPT2_VOCAB_SIZE = 50257;

/** V, fixed by the tokenizer, or by the shards themselves when the corpus is pre-tokenized. */
export function vocabSizeOf(data: { corpus: CorpusSpec; tokenizer: TokenizerSpec }): number {
  if (data.corpus.kind === 'shards') return data.corpus.vocabSize;
  switch (data.tokenizer.kind) {
    case 'gpt2':
      return GPT2_VOCAB_SIZE;
    case 'bpe':
      return data.tokenizer.vocabSize;
    case 'none':
      throw new RangeError("tokenizer 'none' has no vocabulary without a 'shards' corpus");
  }
}

/** l = ceil(log_b V), in integers: the fewest base-b digits that can write every token id. */
export function primeLength(base: number, vocabSize: number): number {
  // A base below 2 never reaches V: refuse it rather than loop forever.
  if (!Number.isInteger(base) || base < 2) {
    throw new RangeError(`primeLength: expected an integer base of at least 2, got ${base}`);
  }
  let length = 1;
  let codes = base;
  while (codes < vocabSize) {
    codes *= base;
    length += 1;
  }
  return length;
}
