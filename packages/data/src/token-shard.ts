import { readFile } from 'node:fs/promises';
import type { ShardDtype } from './data-spec.js';
import { DataError } from './errors.js';

/** A flat stream of token ids (documents joined by end-of-text), as in nanoGPT's `.bin` files. */
export interface TokenShard {
  readonly tokens: Uint16Array | Uint32Array;
  readonly dtype: ShardDtype;
  readonly vocabSize: number;
}

export const DTYPE_BYTES: Readonly<Record<ShardDtype, number>> = { uint16: 2, uint32: 4 };

/** The narrowest dtype that holds every id of a vocabulary. */
export function dtypeForVocab(vocabSize: number): ShardDtype {
  return vocabSize <= 65_536 ? 'uint16' : 'uint32';
}

/** Little-endian bytes of the shard, exactly as written to disk. */
export function shardBytes(tokens: Uint16Array | Uint32Array): Buffer {
  return Buffer.from(tokens.buffer, tokens.byteOffset, tokens.byteLength);
}

/**
 * Views raw little-endian token bytes (nanoGPT's format) as ids, checking the length is whole tokens and every
 * id is below `vocabSize`. `field` names the spec entry the bytes came from, for the error message.
 */
export function shardFromBytes(
  bytes: Buffer,
  dtype: ShardDtype,
  vocabSize: number,
  source: { path: string; field: string; code: 'BAD_CORPUS' | 'BAD_CACHE' },
): TokenShard {
  const width = DTYPE_BYTES[dtype];
  if (bytes.byteLength === 0 || bytes.byteLength % width !== 0) {
    throw new DataError(
      source.code,
      `expected a non-empty file of ${dtype} token ids (a multiple of ${width} bytes), '${source.path}' has ${bytes.byteLength} bytes`,
      { field: source.field },
    );
  }
  // Typed arrays need an aligned offset; small files read by Node may sit at any offset of a shared pool.
  const aligned =
    bytes.byteOffset % width === 0 ? bytes : Buffer.from(new Uint8Array(bytes).buffer.slice(0));
  const length = aligned.byteLength / width;
  const tokens =
    dtype === 'uint16'
      ? new Uint16Array(aligned.buffer, aligned.byteOffset, length)
      : new Uint32Array(aligned.buffer, aligned.byteOffset, length);
  let maxId = 0;
  for (const id of tokens) if (id > maxId) maxId = id;
  if (maxId >= vocabSize) {
    throw new DataError(
      source.code,
      `expected token ids below the vocabulary size ${vocabSize}, '${source.path}' holds id ${maxId}`,
      { field: source.field },
    );
  }
  return { tokens, dtype, vocabSize };
}

export async function readShard(
  path: string,
  dtype: ShardDtype,
  vocabSize: number,
  source: { field: string; code: 'BAD_CORPUS' | 'BAD_CACHE' },
): Promise<TokenShard> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DataError(
      source.code === 'BAD_CORPUS' ? 'CORPUS_NOT_FOUND' : 'BAD_CACHE',
      `expected a readable shard file, but '${path}' cannot be read`,
      { field: source.field, cause: error },
    );
  }
  return shardFromBytes(bytes, dtype, vocabSize, { ...source, path });
}
