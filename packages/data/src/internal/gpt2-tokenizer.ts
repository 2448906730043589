import { decode, encode } from 'gpt-tokenizer/encoding/r50k_base';
import { EOT_TEXT, sha256Hex, type TextTokenizer } from '../text-tokenizer.js';

/** GPT-2's BPE as in the paper: r50k_base, V = 50257, end-of-text = 50256. */
export const GPT2_DESCRIPTOR = {
  kind: 'gpt2',
  encoding: 'r50k_base',
  library: 'gpt-tokenizer',
  vocabSize: 50_257,
  eotId: 50_256,
} as const;

/**
 * gpt-tokenizer's r50k_base encodes a literal `<|endoftext|>` as plain text whatever `allowedSpecial` says,
 * so the text is split on it here and the id inserted, matching the Hugging Face tokenizer's added token.
 */
function encodeWithEot(text: string): Uint32Array {
  const ids: number[] = [];
  text.split(EOT_TEXT).forEach((part, index) => {
    if (index > 0) ids.push(GPT2_DESCRIPTOR.eotId);
    for (const id of encode(part)) ids.push(id);
  });
  return Uint32Array.from(ids);
}

export function gpt2Tokenizer(): TextTokenizer {
  const json = JSON.stringify(GPT2_DESCRIPTOR);
  return {
    kind: 'gpt2',
    vocabSize: GPT2_DESCRIPTOR.vocabSize,
    eotId: GPT2_DESCRIPTOR.eotId,
    hash: sha256Hex(json),
    json,
    encode: (texts) => Promise.resolve(texts.map(encodeWithEot)),
    decode: (ids) => Promise.resolve(decode(Array.from(ids))),
  };
}
