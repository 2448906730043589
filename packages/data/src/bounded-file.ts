import { constants, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { DataError } from './errors.js';

/**
 * The largest corpus file read whole (1 GiB). Bigger corpora belong in pre-tokenized shards; the bound keeps a
 * hostile or mistaken path from taking a worker's memory.
 */
export const MAX_CORPUS_FILE_BYTES = 1 << 30;

/** Why a path cannot be read as a bounded regular file. */
export interface FileProblem {
  code: 'ENOENT' | 'UNREADABLE' | 'NOT_A_FILE' | 'TOO_LARGE';
  message: string;
}

/** What a path is, in words, for an error that refuses it. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Why `path` cannot be read as a regular file of at most `maxBytes` (symlinks followed), or undefined when
 * it can. Only `stat`s: it never opens the path, so a FIFO or a device is refused without blocking or reading.
 * Throws nothing; ENOENT and permission problems are reported as reasons too.
 */
export function regularFileProblem(
  path: string,
  maxBytes: number = MAX_CORPUS_FILE_BYTES,
): FileProblem | undefined {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return { code: 'ENOENT', message: `expected a readable file, but '${path}' no such file` };
    }
    return {
      code: 'UNREADABLE',
      message: `expected a readable file, but '${path}' cannot be read`,
    };
  }
  return sizedFileProblem(path, stats, maxBytes);
}

function sizedFileProblem(path: string, stats: Stats, maxBytes: number): FileProblem | undefined {
  if (!stats.isFile()) {
    return {
      code: 'NOT_A_FILE',
      message: `expected a regular file, '${path}' is ${kindOf(stats)}`,
    };
  }
  if (stats.size > maxBytes) {
    return {
      code: 'TOO_LARGE',
      message: `expected at most ${maxBytes} bytes, '${path}' holds ${stats.size}`,
    };
  }
  return undefined;
}

/**
 * Reads a whole regular file of at most `maxBytes`, refusing anything else (a FIFO, a device such as
 * /dev/zero, a directory, a symlink to one of them) before reading a byte. The path is checked with `stat`
 * first, because opening a FIFO for reading blocks until a writer comes; it is then opened non-blocking and
 * checked again on the open handle (the path may have been swapped meanwhile), and at most the size seen
 * there is read, so a file that grows while it is read cannot grow the buffer. Errors are DataErrors naming
 * `field`: CORPUS_NOT_FOUND for a missing or unreadable path, NOT_A_FILE, FILE_TOO_LARGE.
 */
export async function readBoundedFile(
  path: string,
  field: string,
  maxBytes: number = MAX_CORPUS_FILE_BYTES,
): Promise<Buffer> {
  const problem = regularFileProblem(path, maxBytes);
  if (problem) throw refusal(problem, field);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new DataError(
      'CORPUS_NOT_FOUND',
      `expected a readable file, but '${path}' cannot be read`,
      {
        field,
        cause: error,
      },
    );
  }
  try {
    const stats = await handle.stat();
    const swapped = sizedFileProblem(path, stats, maxBytes);
    if (swapped) throw refusal(swapped, field);
    const { size } = stats;
    const bytes = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

function refusal(problem: FileProblem, field: string): DataError {
  const code =
    problem.code === 'NOT_A_FILE'
      ? 'NOT_A_FILE'
      : problem.code === 'TOO_LARGE'
        ? 'FILE_TOO_LARGE'
        : 'CORPUS_NOT_FOUND';
  return new DataError(code, problem.message, { field });
}
