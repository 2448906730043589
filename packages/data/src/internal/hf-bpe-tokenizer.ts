import { Tokenizer } from 'tokenizers';
import { DataError } from '../errors.js';
import { EOT_TEXT, sha256Hex, type TextTokenizer } from '../text-tokenizer.js';
import { byteLevelChars } from './byte-level-alphabet.js';
import type { Merge } from './train-bpe-merges.js';

const BYTE_LEVEL = { add_prefix_space: false, trim_offsets: true, use_regex: true };

/**
 * A byte-level BPE of exactly `vocabSize` tokens laid out like GPT-2's: ids 0-255 are the 256 bytes (id =
 * byte value), then one id per merge in training order (so ids follow merge frequency), and the end-of-text
 * token last. Keeping every byte in the base vocabulary makes any string encodable.
 */
export function bpeTokenizerJson(merges: readonly Merge[], vocabSize: number): string {
  const vocab = new Map<string, number>(byteLevelChars().map((char, byte) => [char, byte]));
  const eotId = vocabSize - 1;
  const used: Merge[] = [];
  for (const merge of merges) {
    if (vocab.size === eotId) break;
    const token = merge[0] + merge[1];
    // Two merges can spell the same string ('a'+'bc', 'ab'+'c'); the second adds a rule, not a token.
    if (!vocab.has(token)) vocab.set(token, vocab.size);
    used.push(merge);
  }
  if (vocab.size < eotId) {
    throw new DataError(
      'INVALID_DATA_SPEC',
      `expected at most ${vocab.size + 1} for this corpus (its BPE training found only ${merges.length} merges)`,
      { field: 'data.tokenizer.vocabSize' },
    );
  }
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: eotId,
        content: EOT_TEXT,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...BYTE_LEVEL },
    post_processor: null,
    decoder: { type: 'ByteLevel', ...BYTE_LEVEL },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges: used,
    },
  });
}

/** Pieces of about this many characters encode several times faster than whole documents. */
const PIECE_CHARS = 2048;
const WHITESPACE = /\s/;

/**
 * Cuts text before a single space that sits between two non-space characters. GPT-2's pre-tokenisation
 * regex always splits there (the space opens the next word), so encoding the pieces separately gives the
 * same ids as encoding the whole text.
 */
export function splitAtWordStarts(text: string, pieceChars: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + pieceChars);
    while (
      end < text.length &&
      !(
        text[end] === ' ' &&
        !WHITESPACE.test(text[end - 1] ?? ' ') &&
        !WHITESPACE.test(text[end + 1] ?? ' ')
      )
    ) {
      end += 1;
    }
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Loads a tokenizer.json written by `bpeTokenizerJson` into Hugging Face's native tokenizer. */
export function hfBpeTokenizer(json: string): TextTokenizer {
  let native: Tokenizer;
  try {
    native = Tokenizer.fromString(json);
  } catch (error) {
    throw new DataError(
      'TOKENIZER_FAILED',
      'tokenizer.json is not a valid Hugging Face tokenizer',
      {
        cause: error,
      },
    );
  }
  const vocabSize = native.getVocabSize(true);
  return {
    kind: 'bpe',
    vocabSize,
    eotId: vocabSize - 1,
    hash: sha256Hex(json),
    json,
    encode: async (texts) => {
      const pieces = texts.map((text) => splitAtWordStarts(text, PIECE_CHARS));
      const encodings = await native.encodeBatch(pieces.flat(), { addSpecialTokens: false });
      let next = 0;
      return pieces.map((textPieces) =>
        Uint32Array.from(
          encodings
            .slice(next, (next += textPieces.length))
            .flatMap((encoding) => encoding.getIds()),
        ),
      );
    },
    decode: (ids) => native.decode(Array.from(ids), false),
  };
}
