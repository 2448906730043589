import type { TextCorpusSpec } from '../data-spec.js';
import { DataError } from '../errors.js';
import type { CorpusFile } from './corpus-files.js';
import { decodedBytes, openCorpusFile } from './open-corpus-file.js';

const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from('\n');
/** A line holding only `<|endoftext|>` separates documents inside a `.txt` file (GPT-2's convention). */
const SEPARATOR = /^<\|endoftext\|>\r?$/;

/** Taps on the raw bytes as they are read, for the cache key. */
export interface RawTap {
  /** A file is about to be read: its size on disk. */
  file?(size: number, file: CorpusFile): void;
  chunk?(bytes: Buffer): void;
  /** The file was read to its end: how many raw bytes it gave. */
  end?(bytes: number, size: number, file: CorpusFile): void;
}

/** Lines of a byte stream split on `\n` (the `\n` dropped, a `\r` kept); the text after the last `\n` last. */
async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  for await (const chunk of chunks) {
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, at);
      yield pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      start = at + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  yield Buffer.concat(pending);
}

function joinLines(parts: readonly Buffer[]): string {
  const pieces: Buffer[] = [];
  parts.forEach((part, index) => {
    if (index > 0) pieces.push(NEWLINE_BYTES);
    pieces.push(part);
  });
  return Buffer.concat(pieces).toString('utf8');
}

async function* textDocuments(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  for await (const line of lines(bytes)) {
    if (line.length <= 15 && SEPARATOR.test(line.toString('latin1'))) {
      const text = joinLines(parts);
      if (text.trim().length > 0) yield text;
      parts = [];
    } else {
      parts.push(line);
    }
  }
  const text = joinLines(parts);
  if (text.trim().length > 0) yield text;
}

async function* jsonlDocuments(
  bytes: AsyncIterable<Buffer>,
  file: CorpusFile,
  key: string,
): AsyncGenerator<string> {
  let number = 0;
  for await (const raw of lines(bytes)) {
    number += 1;
    const line = raw.toString('utf8');
    if (line.trim().length === 0) continue;
    const where = `${file.path}:${number}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new DataError('BAD_CORPUS', `expected one JSON object per line, ${where} is not JSON`, {
        field: file.field,
        cause: error,
      });
    }
    const text =
      typeof record === 'object' && record !== null && !Array.isArray(record)
        ? (record as Record<string, unknown>)[key]
        : undefined;
    if (typeof text !== 'string') {
      throw new DataError(
        'BAD_CORPUS',
        `expected a string field '${key}' (data.corpus.field) in every line, ${where} has none`,
        { field: file.field },
      );
    }
    if (text.length > 0) yield text;
  }
}

async function* wholeFile(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of bytes) chunks.push(chunk);
  yield Buffer.concat(chunks).toString('utf8');
}

async function* tapped(
  raw: AsyncIterable<Buffer>,
  size: number,
  file: CorpusFile,
  tap: RawTap,
): AsyncGenerator<Buffer> {
  let read = 0;
  for await (const chunk of raw) {
    read += chunk.length;
    tap.chunk?.(chunk);
    yield chunk;
  }
  tap.end?.(read, size, file);
}

/**
 * The documents of a text corpus, streamed in corpus order with one file open at a time. `text`: documents
 * separated by a line `<|endoftext|>` (a file without one is one document); `jsonl`: one per line, from
 * `field`; `sotu`: one per file. Only one document (and one read chunk) is held at a time.
 */
export async function* readDocuments(
  corpus: TextCorpusSpec,
  files: readonly CorpusFile[],
  tap: RawTap = {},
): AsyncGenerator<string> {
  for (const file of files) {
    const opened = await openCorpusFile(file.path, file.field);
    tap.file?.(opened.size, file);
    const bytes = decodedBytes(tapped(opened.raw, opened.size, file, tap), file.path, file.field);
    if (corpus.kind === 'sotu') yield* wholeFile(bytes);
    else if (corpus.kind === 'text') yield* textDocuments(bytes);
    else yield* jsonlDocuments(bytes, file, corpus.field);
  }
}
