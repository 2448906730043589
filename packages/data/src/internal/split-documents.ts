import { createHash } from 'node:crypto';

export interface DocumentSplit {
  /** Indices into the corpus, in corpus order. */
  readonly train: readonly number[];
  readonly val: readonly number[];
}

/**
 * Holds out whole documents for validation, chosen by the SHA-256 of their UTF-8 bytes (lowest first) until
 * they hold at least `valFraction` of the corpus bytes. Choosing by content rather than position keeps the
 * held-out set a fair sample of a chronological corpus and makes it independent of document order. At least
 * one document always lands on each side.
 */
export function splitDocuments(documents: readonly string[], valFraction: number): DocumentSplit {
  const entries = documents.map((text, index) => {
    const bytes = Buffer.from(text, 'utf8');
    return { index, size: bytes.length, hash: createHash('sha256').update(bytes).digest('hex') };
  });
  const totalBytes = entries.reduce((sum, entry) => sum + entry.size, 0);
  const byHash = [...entries].sort((a, b) =>
    a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : a.index - b.index,
  );
  const isVal = new Uint8Array(documents.length);
  let valBytes = 0;
  for (const entry of byHash.slice(0, documents.length - 1)) {
    if (valBytes > 0 && valBytes >= valFraction * totalBytes) break;
    isVal[entry.index] = 1;
    valBytes += entry.size;
  }
  const train: number[] = [];
  const val: number[] = [];
  isVal.forEach((flag, index) => (flag === 1 ? val : train).push(index));
  return { train, val };
}
