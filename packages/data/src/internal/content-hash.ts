import { createHash } from 'node:crypto';
import { DataError } from '../errors.js';
import type { CorpusFile } from './corpus-files.js';
import { openCorpusFile } from './open-corpus-file.js';

/**
 * SHA-256 over a JSON descriptor (format version, tokenizer spec, split rule, library versions) and then
 * every source file's bytes as stored (compressed files undecoded), each preceded by its length so that file
 * boundaries count, streamed a chunk at a time. Paths are left out on purpose: the same corpus on another
 * machine, at another path, maps to the same cache entry. `onBytes` is told how many bytes were read.
 */
export async function hashSources(
  descriptor: unknown,
  files: readonly CorpusFile[],
  onBytes: (bytes: number) => void = () => undefined,
): Promise<string> {
  const hash = createHash('sha256');
  const length = Buffer.alloc(8);
  const part = (size: number): void => {
    length.writeBigUInt64LE(BigInt(size));
    hash.update(length);
  };
  const head = Buffer.from(JSON.stringify(descriptor), 'utf8');
  part(head.length);
  hash.update(head);
  for (const file of files) {
    const opened = await openCorpusFile(file.path, file.field);
    part(opened.size);
    let read = 0;
    for await (const chunk of opened.raw) {
      hash.update(chunk);
      read += chunk.length;
      onBytes(chunk.length);
    }
    if (read !== opened.size) {
      throw new DataError(
        'BAD_CORPUS',
        `expected '${file.path}' to stay ${opened.size} bytes while it is read, it gave ${read}`,
        { field: file.field },
      );
    }
  }
  return hash.digest('hex');
}
