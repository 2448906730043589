import { closeSync, openSync, writeSync } from 'node:fs';
import type { TextCorpusSpec } from '../data-spec.js';
import type { CorpusFile } from './corpus-files.js';
import { readDocuments } from './read-documents.js';

/**
 * The corpus-trained BPE learns its merges from at most this many bytes of training text: the first training
 * documents in corpus order, whole, while they fit (at least one). Hugging Face's trainer holds every word
 * count in memory and runs on one thread, so a bounded sample keeps it to about a minute and a few hundred MB
 * whatever the corpus size; the default corpus (10.8 MB) lies under the bound and is learnt whole.
 */
export const BPE_SAMPLE_BYTES = 64 * 1024 * 1024;

/** Writes the BPE training sample (documents joined by `\n`) to `path`; returns its size in bytes. */
export async function writeBpeSample(
  corpus: TextCorpusSpec,
  files: readonly CorpusFile[],
  isVal: Uint8Array,
  path: string,
  maxBytes: number = BPE_SAMPLE_BYTES,
): Promise<number> {
  const fd = openSync(path, 'w');
  let written = 0;
  let index = 0;
  try {
    for await (const text of readDocuments(corpus, files)) {
      const document = index;
      index += 1;
      if (isVal[document] === 1) continue;
      const bytes = Buffer.from(written === 0 ? text : `\n${text}`, 'utf8');
      if (written > 0 && written + bytes.length > maxBytes) break;
      writeSync(fd, bytes);
      written += bytes.length;
    }
  } finally {
    closeSync(fd);
  }
  return written;
}
