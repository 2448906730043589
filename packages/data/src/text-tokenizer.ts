import { createHash } from 'node:crypto';

export type TokenizerKind = 'gpt2' | 'bpe';

/** The string that means end-of-text in every tokenizer here; it maps to `eotId`, also inside text. */
export const EOT_TEXT = '<|endoftext|>';

/** A tokenizer as saved beside the shards (`tokenizer.json`), identified by the SHA-256 of that file. */
export interface TextTokenizer {
  readonly kind: TokenizerKind;
  readonly vocabSize: number;
  readonly eotId: number;
  /** SHA-256 (hex) of `json`. */
  readonly hash: string;
  /** The saved form: a Hugging Face tokenizer.json for `bpe`, a small descriptor for `gpt2`. */
  readonly json: string;
  encode(texts: readonly string[]): Promise<Uint32Array[]>;
  decode(ids: ArrayLike<number>): Promise<string>;
}

export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
