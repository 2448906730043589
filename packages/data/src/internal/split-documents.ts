import { createHash } from 'node:crypto';

export interface DocumentSplit {
  /** Indices into the corpus, in corpus order. */
  readonly train: readonly number[];
  readonly val: readonly number[];
}

/** Words of each document's SHA-256 kept for ordering: 128 bits, so distinct documents never tie. */
const WORDS = 4;

/**
 * What the split needs to know of each document, gathered as the corpus streams past: the first 128 bits of
 * the SHA-256 of its UTF-8 bytes and its size, 24 bytes a document whatever its length.
 */
export class DocumentDigests {
  private words = new Uint32Array(WORDS * 1024);
  private sizes = new Float64Array(1024);
  count = 0;
  bytes = 0;

  add(text: string): void {
    const utf8 = Buffer.from(text, 'utf8');
    if (this.count === this.sizes.length) {
      const words = new Uint32Array(this.words.length * 2);
      words.set(this.words);
      this.words = words;
      const sizes = new Float64Array(this.sizes.length * 2);
      sizes.set(this.sizes);
      this.sizes = sizes;
    }
    const digest = createHash('sha256').update(utf8).digest();
    for (let w = 0; w < WORDS; w += 1)
      this.words[this.count * WORDS + w] = digest.readUInt32BE(4 * w);
    this.sizes[this.count] = utf8.length;
    this.bytes += utf8.length;
    this.count += 1;
  }

  /** Compares documents by hash (as hex strings compare), then by corpus position. */
  private compare(a: number, b: number): number {
    for (let w = 0; w < WORDS; w += 1) {
      const x = this.words[a * WORDS + w] ?? 0;
      const y = this.words[b * WORDS + w] ?? 0;
      if (x !== y) return x < y ? -1 : 1;
    }
    return a - b;
  }

  /**
   * Marks the validation documents (1) by the rule of `splitDocuments`. Only documents whose hash falls below a
   * cut-off are sorted (they are a prefix of the hash order); the cut-off doubles until they are enough.
   */
  validationFlags(valFraction: number): Uint8Array {
    const { count } = this;
    const wanted = valFraction * this.bytes;
    const isVal = new Uint8Array(count);
    for (let share = Math.min(1, 2 * valFraction + 64 / count); ; share = Math.min(1, share * 2)) {
      const limit = share * 0x1_0000_0000;
      const candidates: number[] = [];
      for (let index = 0; index < count; index += 1) {
        if (share >= 1 || (this.words[index * WORDS] ?? 0) < limit) candidates.push(index);
      }
      candidates.sort((a, b) => this.compare(a, b));
      isVal.fill(0);
      let valBytes = 0;
      let picked = 0;
      for (const index of candidates) {
        if ((valBytes > 0 && valBytes >= wanted) || picked === count - 1) return isVal;
        isVal[index] = 1;
        valBytes += this.sizes[index] ?? 0;
        picked += 1;
      }
      if ((valBytes > 0 && valBytes >= wanted) || picked === count - 1 || share >= 1) return isVal;
    }
  }
}

/**
 * Holds out whole documents for validation, chosen by the SHA-256 of their UTF-8 bytes (lowest first) until
 * they hold at least `valFraction` of the corpus bytes. Choosing by content rather than position keeps the
 * held-out set a fair sample of a chronological corpus and makes it independent of document order. At least
 * one document always lands on each side.
 */
export function splitDocuments(documents: readonly string[], valFraction: number): DocumentSplit {
  const digests = new DocumentDigests();
  for (const text of documents) digests.add(text);
  const isVal = digests.validationFlags(valFraction);
  const train: number[] = [];
  const val: number[] = [];
  isVal.forEach((flag, index) => (flag === 1 ? val : train).push(index));
  return { train, val };
}
