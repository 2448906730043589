import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadTokenizer,
  prepareData,
  unigramEntropy,
  type DataSpec,
  type PreparedData,
  type TokenShard,
} from '@isoflop/data';

const FILES = ['index.json', 'tokenizer.json', 'train-00000.bin', 'val-00000.bin'];
const spec: DataSpec = { corpus: { kind: 'sotu' }, tokenizer: { kind: 'gpt2' }, valFraction: 0.05 };

/** SHA-256 of each file: comparing multi-megabyte buffers with toEqual is far too slow. */
async function filesOf(dir: string): Promise<string[]> {
  const contents = await Promise.all(FILES.map((name) => readFile(join(dir, name))));
  return contents.map((bytes) => createHash('sha256').update(bytes).digest('hex'));
}

/** The whole token stream of a prepared split (small test corpora only). */
function tokensOf(shard: TokenShard): Int32Array {
  const out = new Int32Array(shard.length);
  shard.read(0, shard.length, out, 0);
  return out;
}

describe('prepareData on the default corpus (State of the Union, GPT-2 BPE)', () => {
  let root: string;
  let first: PreparedData;
  let progress: [number, number][];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'isoflop-data-sotu-'));
    progress = [];
    first = await prepareData(spec, {
      cacheDir: join(root, 'a'),
      onProgress: (done, total) => progress.push([done, total]),
    });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('writes index, tokenizer and shards under data/<contentHash>', async () => {
    expect(first.dir).toBe(join(root, 'a', 'data', first.contentHash));
    expect((await readdir(first.dir)).sort()).toEqual(FILES);
    expect(await readdir(join(root, 'a', 'data'))).toEqual([first.contentHash]);
    expect(first.vocabSize).toBe(50_257);
    expect(first.eotId).toBe(50_256);
    expect(first.train.dtype).toBe('uint16');
    expect(first.header.corpus).toEqual({
      kind: 'sotu',
      documents: 233,
      bytes: expect.any(Number),
      files: 233,
      sourceBytes: expect.any(Number),
    });
    expect((first.header.train.documents ?? 0) + (first.header.val.documents ?? 0)).toBe(233);
    // About 2.07 M GPT-2 tokens in 10.8 M characters; 5 % of the bytes held out.
    const total = first.train.length + first.val.length;
    expect(total).toBeGreaterThan(2_000_000);
    expect(total).toBeLessThan(2_200_000);
    expect(first.val.length / total).toBeGreaterThan(0.04);
    expect(first.val.length / total).toBeLessThan(0.08);
  });

  it('ends every document with end-of-text', () => {
    for (const shard of [first.train, first.val]) {
      expect(tokensOf(shard).at(-1)).toBe(first.eotId);
    }
    const eots = (shard: TokenShard): number =>
      tokensOf(shard).filter((id) => id === first.eotId).length;
    expect(eots(first.train)).toBe(first.header.train.documents);
    expect(eots(first.val)).toBe(first.header.val.documents);
  });

  it('decodes back to the addresses, oldest first', async () => {
    const tokenizer = await loadTokenizer(first.dir);
    const opening = await tokenizer?.decode(tokensOf(first.train).subarray(0, 12));
    expect(opening).toMatch(/^Fellow-Citizens of the Senate and House of Representatives/);
    expect(tokenizer?.hash).toBe(first.tokenizerHash);
  });

  it('reports progress up to the whole corpus', () => {
    const last = progress[progress.length - 1];
    expect(progress.length).toBeGreaterThan(5);
    expect(last?.[0]).toBe(last?.[1]);
    expect(progress.map(([done]) => done)).toEqual(
      [...progress.map(([done]) => done)].sort((a, b) => a - b),
    );
  });

  it('has a unigram entropy between a uniform and a constant stream', () => {
    const entropy = unigramEntropy(first.train);
    expect(entropy).toBeGreaterThan(5);
    expect(entropy).toBeLessThan(Math.log(50_257));
  });

  it('writes the same bytes when prepared again from scratch', async () => {
    const second = await prepareData(spec, { cacheDir: join(root, 'b') });
    expect(second.contentHash).toBe(first.contentHash);
    expect(await filesOf(second.dir)).toEqual(await filesOf(first.dir));
  });

  it('reuses the cached entry without rebuilding it', async () => {
    let calls = 0;
    const again = await prepareData(spec, {
      cacheDir: join(root, 'a'),
      onProgress: () => (calls += 1),
    });
    expect(again.dir).toBe(first.dir);
    expect(calls).toBe(0);
    expect(again.val.length).toBe(first.val.length);
  });
});
