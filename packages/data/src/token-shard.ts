import { closeSync, openSync, readSync } from 'node:fs';
import type { ShardDtype } from './data-spec.js';
import { DataError } from './errors.js';

/**
 * A flat stream of token ids (documents joined by end-of-text), as in nanoGPT's `.bin` files, read a window at a
 * time: on disk it may be one file or a thousand, and is never loaded whole.
 */
export interface TokenShard {
  readonly dtype: ShardDtype;
  readonly vocabSize: number;
  /** Tokens in the stream. */
  readonly length: number;
  /** Copies tokens `[start, start + count)` of the stream into `out` from `outOffset`. */
  read(start: number, count: number, out: Int32Array, outOffset: number): void;
}

export const DTYPE_BYTES: Readonly<Record<ShardDtype, number>> = { uint16: 2, uint32: 4 };

/** The narrowest dtype that holds every id of a vocabulary. */
export function dtypeForVocab(vocabSize: number): ShardDtype {
  return vocabSize <= 65_536 ? 'uint16' : 'uint32';
}

/** A token stream held in memory (tests, references, small corpora). */
export function tokenShardFromArray(
  tokens: Uint16Array | Uint32Array,
  vocabSize: number,
): TokenShard {
  return {
    dtype: tokens instanceof Uint16Array ? 'uint16' : 'uint32',
    vocabSize,
    length: tokens.length,
    read: (start, count, out, outOffset) => {
      checkRange(start, count, tokens.length);
      out.set(tokens.subarray(start, start + count), outOffset);
    },
  };
}

function checkRange(start: number, count: number, length: number): void {
  if (!(start >= 0 && count >= 0 && start + count <= length)) {
    throw new DataError(
      'INVALID_ARGUMENT',
      `expected a window inside the ${length} tokens, got [${start}, ${start + count})`,
      { field: 'start' },
    );
  }
}

/** Open descriptors shared by every shard reader in the process, least recently used closed first. */
const MAX_OPEN_FILES = 64;
const openFiles = new Map<string, number>();

function descriptor(path: string): number {
  const fd = openFiles.get(path);
  if (fd !== undefined) {
    openFiles.delete(path);
    openFiles.set(path, fd);
    return fd;
  }
  const opened = openSync(path, 'r');
  openFiles.set(path, opened);
  if (openFiles.size > MAX_OPEN_FILES) {
    const [oldest, oldestFd] = openFiles.entries().next().value as [string, number];
    openFiles.delete(oldest);
    closeSync(oldestFd);
  }
  return opened;
}

/** Closes the cached descriptors of these files (before a file is replaced, so no reader keeps the old one). */
export function forgetShardFiles(paths: readonly string[]): void {
  for (const path of paths) {
    const fd = openFiles.get(path);
    if (fd === undefined) continue;
    openFiles.delete(path);
    closeSync(fd);
  }
}

/** One file of a sharded token stream. */
export interface ShardFile {
  readonly path: string;
  readonly tokens: number;
}

let scratch = Buffer.alloc(1 << 16);

/**
 * A token stream stored as consecutive shard files, read with positional reads into one reused buffer: opening
 * costs nothing whatever the corpus size, and a window's tokens are the same however the stream is cut.
 */
export function shardedTokens(
  files: readonly ShardFile[],
  dtype: ShardDtype,
  vocabSize: number,
): TokenShard {
  const width = DTYPE_BYTES[dtype];
  const starts = new Float64Array(files.length + 1);
  files.forEach((file, index) => (starts[index + 1] = (starts[index] ?? 0) + file.tokens));
  const length = starts[files.length] ?? 0;
  const shardOf = (token: number): number => {
    let lo = 0;
    let hi = files.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= token) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return {
    dtype,
    vocabSize,
    length,
    read: (start, count, out, outOffset) => {
      checkRange(start, count, length);
      let at = start;
      let written = outOffset;
      for (let shard = shardOf(start); at < start + count; shard += 1) {
        const file = files[shard] as ShardFile;
        const from = at - (starts[shard] ?? 0);
        const take = Math.min(count - (at - start), file.tokens - from);
        const bytes = take * width;
        if (scratch.length < bytes) scratch = Buffer.alloc(bytes);
        const got = readSync(descriptor(file.path), scratch, 0, bytes, from * width);
        if (got !== bytes) {
          throw new DataError(
            'BAD_CACHE',
            `expected ${bytes} bytes at token ${from} of '${file.path}', read ${got}: the shard was truncated; prepare the data again`,
          );
        }
        const ids =
          dtype === 'uint16'
            ? new Uint16Array(scratch.buffer, scratch.byteOffset, take)
            : new Uint32Array(scratch.buffer, scratch.byteOffset, take);
        out.set(ids, written);
        written += take;
        at += take;
      }
    },
  };
}
