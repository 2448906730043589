import type { ShardDtype } from '../data-spec.js';
import { DataError } from '../errors.js';
import { DTYPE_BYTES } from '../token-shard.js';
import type { CorpusFile } from './corpus-files.js';
import { openCorpusFile } from './open-corpus-file.js';
import type { ShardWriter } from './shard-writer.js';

/** Checks a pre-tokenised file's size before anything is written: whole tokens, at least one. */
export async function checkTokenFile(file: CorpusFile, dtype: ShardDtype): Promise<void> {
  const opened = await openCorpusFile(file.path, file.field);
  const width = DTYPE_BYTES[dtype];
  // Only the size was wanted: drop the stream, which closes the file.
  (opened.raw as NodeJS.ReadableStream & { destroy(): void }).destroy();
  if (opened.size === 0 || opened.size % width !== 0) {
    throw new DataError(
      'BAD_CORPUS',
      `expected a non-empty file of ${dtype} token ids (a multiple of ${width} bytes), '${file.path}' has ${opened.size} bytes`,
      { field: file.field },
    );
  }
}

/**
 * Copies a pre-tokenised nanoGPT `.bin` file (raw little-endian ids) into shards a chunk at a time, checking
 * every id is below `vocabSize`.
 */
export async function copyTokenFile(
  file: CorpusFile,
  dtype: ShardDtype,
  vocabSize: number,
  writer: ShardWriter,
  onBytes: (bytes: number) => void,
): Promise<void> {
  const width = DTYPE_BYTES[dtype];
  const opened = await openCorpusFile(file.path, file.field);
  let carry = Buffer.alloc(0);
  let chunkIndex = 0;
  for await (const chunk of opened.raw) {
    const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    const whole = bytes.length - (bytes.length % width);
    // A fresh, aligned copy: read buffers may sit at any offset of a shared pool.
    const aligned = new Uint8Array(bytes.subarray(0, whole)).buffer;
    const ids = dtype === 'uint16' ? new Uint16Array(aligned) : new Uint32Array(aligned);
    for (const id of ids) {
      if (id >= vocabSize) {
        throw new DataError(
          'BAD_CORPUS',
          `expected token ids below the vocabulary size ${vocabSize}, '${file.path}' holds id ${id}`,
          { field: file.field },
        );
      }
    }
    writer.append(chunkIndex, ids, 0);
    chunkIndex += 1;
    carry = Buffer.from(bytes.subarray(whole));
    onBytes(chunk.length);
  }
}
