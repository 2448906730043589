import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { regularFileProblem } from '../bounded-file.js';
import { DataError } from '../errors.js';

/** Bytes read from disk at a time: large enough for throughput, small enough to bound memory per file. */
const READ_CHUNK_BYTES = 1 << 20;

export interface OpenedCorpusFile {
  /** Size on disk (compressed size for a compressed file), from the same descriptor that is read. */
  readonly size: number;
  /** The file's raw bytes, in order; closes the file when drained or abandoned. */
  readonly raw: AsyncIterable<Buffer>;
}

/**
 * The one place a corpus file is opened: a regular file, checked on the descriptor it is then read from.
 * `field` names the spec entry for the error message.
 */
export async function openCorpusFile(path: string, field: string): Promise<OpenedCorpusFile> {
  // Checked before the open, which for a FIFO would block until a writer came (issue 15, defect 3).
  const problem = regularFileProblem(path, Number.POSITIVE_INFINITY);
  if (problem?.code === 'NOT_A_FILE') throw new DataError('NOT_A_FILE', problem.message, { field });
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read';
    throw new DataError('CORPUS_NOT_FOUND', `expected a readable file, but '${path}' ${reason}`, {
      field,
      cause: error,
    });
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new DataError('CORPUS_NOT_FOUND', `expected a regular file, but '${path}' is not one`, {
      field,
    });
  }
  return {
    size: info.size,
    raw: handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES, autoClose: true }),
  };
}

async function* gunzip(raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const inflate = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  pipeline(raw, inflate, () => undefined);
  yield* inflate;
}

/** Node 20's zlib has no zstd, so fzstd (pure JavaScript, streaming) decodes `.zst` files. */
async function* unzstd(raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const out: Uint8Array[] = [];
  const decoder = new Decompress((chunk) => out.push(chunk));
  const drain = (): Buffer[] =>
    out.splice(0).map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  for await (const chunk of raw) {
    decoder.push(chunk);
    yield* drain();
  }
  decoder.push(new Uint8Array(0), true);
  yield* drain();
}

/** The file's text bytes: `.gz` and `.zst` files are decompressed as they stream, others pass through. */
export async function* decodedBytes(
  raw: AsyncIterable<Buffer>,
  path: string,
  field: string,
): AsyncGenerator<Buffer> {
  const lower = path.toLowerCase();
  const kind = lower.endsWith('.gz') ? 'gzip' : /\.zstd?$/.test(lower) ? 'zstd' : undefined;
  if (kind === undefined) {
    yield* raw;
    return;
  }
  try {
    yield* kind === 'gzip' ? gunzip(raw) : unzstd(raw);
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError('BAD_CORPUS', `expected a valid ${kind} file, '${path}' is not one`, {
      field,
      cause: error,
    });
  }
}
