import { statSync } from 'node:fs';
import { regularFileProblem } from './bounded-file.js';

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** A corpus file named by a spec: its field path (`data.corpus.paths[0]`) and the file. */
export interface NamedFile {
  path: string;
  file: string;
}

/**
 * The spec's corpus files that must be refused before anything is read or stored: a FIFO, a device such as
 * /dev/zero, or a symlink to one of them, as `{path, message}` issues naming the field. Only
 * `stat`s each path. A missing file is an issue only with `requireExisting` (a remote worker may hold the
 * file that this machine lacks); the size bound is the reader's, at read time.
 */
export function corpusFileIssues(
  files: readonly NamedFile[],
  options: { requireExisting: boolean },
): { path: string; message: string }[] {
  return files.flatMap(({ path, file }) => {
    // A directory names the corpus files inside it, each checked as it is opened.
    if (isDirectory(file)) return [];
    const problem = regularFileProblem(file, Number.POSITIVE_INFINITY);
    if (!problem || (problem.code === 'ENOENT' && !options.requireExisting)) return [];
    return [{ path, message: problem.message }];
  });
}
