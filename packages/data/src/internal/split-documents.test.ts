import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { splitDocuments } from './split-documents.js';

const documents = Array.from({ length: 200 }, (_, i) => `document ${i} `.repeat(1 + (i % 7)));

describe('splitDocuments', () => {
  it('holds out whole documents worth at least valFraction of the bytes, and not much more', () => {
    const { train, val } = splitDocuments(documents, 0.1);
    expect([...train, ...val].sort((a, b) => a - b)).toEqual(documents.map((_, i) => i));
    const bytes = (indices: readonly number[]): number =>
      indices.reduce((sum, i) => sum + Buffer.byteLength(documents[i] ?? ''), 0);
    const fraction = bytes(val) / (bytes(val) + bytes(train));
    expect(fraction).toBeGreaterThanOrEqual(0.1);
    expect(fraction).toBeLessThan(0.13);
  });

  it('keeps corpus order on each side and is deterministic', () => {
    const first = splitDocuments(documents, 0.2);
    expect(splitDocuments(documents, 0.2)).toEqual(first);
    expect([...first.train].sort((a, b) => a - b)).toEqual(first.train);
    expect([...first.val].sort((a, b) => a - b)).toEqual(first.val);
  });

  it('chooses by content, so reordering the corpus holds out the same documents', () => {
    const reversed = [...documents].reverse();
    const heldOut = (docs: string[]): string[] =>
      splitDocuments(docs, 0.15)
        .val.map((i) => docs[i] ?? '')
        .sort();
    expect(heldOut(reversed)).toEqual(heldOut(documents));
  });

  it('spreads the held-out documents over the corpus rather than taking its end', () => {
    const { val } = splitDocuments(documents, 0.2);
    expect(Math.min(...val)).toBeLessThan(50);
    expect(Math.max(...val)).toBeGreaterThan(150);
  });

  it('puts at least one document on each side', () => {
    expect(splitDocuments(['a', 'b'], 0.001)).toEqual({
      train: expect.any(Array),
      val: expect.any(Array),
    });
    const tiny = splitDocuments(['a', 'b'], 0.001);
    expect(tiny.train).toHaveLength(1);
    expect(tiny.val).toHaveLength(1);
    const greedy = splitDocuments(['a', 'b', 'c'], 0.99);
    expect(greedy.train).toHaveLength(1);
    expect(greedy.val).toHaveLength(2);
  });

  it('holds out exactly what a full sort by hex digest holds out, duplicates and skewed sizes included', () => {
    // The rule as first written: every document's whole hex digest sorted, then taken until enough.
    const reference = (docs: readonly string[], valFraction: number): number[] => {
      const entries = docs.map((text, index) => ({
        index,
        size: Buffer.byteLength(text),
        hash: createHash('sha256').update(text).digest('hex'),
      }));
      const total = entries.reduce((sum, entry) => sum + entry.size, 0);
      entries.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : a.index - b.index));
      const val: number[] = [];
      let bytes = 0;
      for (const entry of entries.slice(0, docs.length - 1)) {
        if (bytes > 0 && bytes >= valFraction * total) break;
        val.push(entry.index);
        bytes += entry.size;
      }
      return val.sort((a, b) => a - b);
    };
    const skewed = Array.from({ length: 3000 }, (_, i) =>
      `doc ${i % 2500} `.repeat(i % 97 === 0 ? 4000 : 1 + (i % 13)),
    );
    for (const docs of [documents, skewed, ['a', 'b', 'c', 'a']]) {
      for (const fraction of [0.001, 0.02, 0.3, 0.9]) {
        expect(splitDocuments(docs, fraction).val).toEqual(reference(docs, fraction));
      }
    }
  });
});
