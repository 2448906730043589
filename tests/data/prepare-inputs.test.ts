import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer, prepareData, type DataSpec, type TokenShard } from '@isoflop/data';

/** Every file of a prepared entry (index, tokenizer, shards), by name. */
async function digests(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  const contents = await Promise.all(names.map((name) => readFile(join(dir, name))));
  return contents.map(
    (bytes, i) => `${names[i]} ${createHash('sha256').update(bytes).digest('hex')}`,
  );
}

/** The whole token stream of a prepared split (small test corpora only). */
function tokensOf(shard: TokenShard): Int32Array {
  const out = new Int32Array(shard.length);
  shard.read(0, shard.length, out, 0);
  return out;
}

/** Twelve short documents of real-looking English, distinct enough to split. */
const DOCUMENTS = Array.from(
  { length: 12 },
  (_, i) =>
    `Report number ${i}. The committee met on day ${i * 3} and discussed the budget, the roads, the schools ` +
    `and the harbour. Members agreed that item ${i} needs more study before the next session.`.repeat(
      3,
    ),
);

describe('prepareData on user corpora', () => {
  let root: string;
  let corpusDir: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'isoflop-data-inputs-'));
    corpusDir = join(root, 'corpus');
    await mkdir(corpusDir);
    await writeFile(join(corpusDir, 'a.txt'), DOCUMENTS.slice(0, 6).join('\n<|endoftext|>\n'));
    await writeFile(join(corpusDir, 'b.txt'), DOCUMENTS[6] ?? '');
    await writeFile(
      join(corpusDir, 'c.jsonl'),
      DOCUMENTS.map((text, i) => JSON.stringify({ id: i, body: text })).join('\n') + '\n',
    );
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('reads .txt files as documents separated by <|endoftext|> lines', async () => {
    const prepared = await prepareData(
      {
        corpus: { kind: 'text', paths: [join(corpusDir, 'a.txt'), join(corpusDir, 'b.txt')] },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.2,
      },
      { cacheDir: join(root, 'cache') },
    );
    expect(prepared.header.corpus.documents).toBe(7);
    const tokenizer = await loadTokenizer(prepared.dir);
    const text = await tokenizer?.decode([...tokensOf(prepared.train), ...tokensOf(prepared.val)]);
    const documents = text?.split('<|endoftext|>').filter((part) => part.length > 0) ?? [];
    expect(documents.sort()).toEqual(DOCUMENTS.slice(0, 7).sort());
  });

  it('reads .jsonl documents from the named field', async () => {
    const prepared = await prepareData(
      {
        corpus: { kind: 'jsonl', paths: [join(corpusDir, 'c.jsonl')], field: 'body' },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.25,
      },
      { cacheDir: join(root, 'cache') },
    );
    expect(prepared.header.corpus.documents).toBe(12);
    // 25 % of the bytes: three documents fall just short (the later ones are a few bytes longer).
    expect(prepared.header.val.documents).toBe(4);
    expect(prepared.header.train.documents).toBe(8);
    const tokenizer = await loadTokenizer(prepared.dir);
    const val = (await tokenizer?.decode(tokensOf(prepared.val)))
      ?.split('<|endoftext|>')
      .filter(Boolean);
    for (const document of val ?? []) expect(DOCUMENTS).toContain(document);
  });

  it('trains a byte-level BPE of the requested size, byte-identical on a second run', async () => {
    const spec: DataSpec = {
      corpus: { kind: 'jsonl', paths: [join(corpusDir, 'c.jsonl')], field: 'body' },
      tokenizer: { kind: 'bpe', vocabSize: 300 },
      valFraction: 0.25,
    };
    const [a, b] = [
      await prepareData(spec, { cacheDir: join(root, 'bpe-a') }),
      await prepareData(spec, { cacheDir: join(root, 'bpe-b') }),
    ];
    expect(a.vocabSize).toBe(300);
    expect(a.eotId).toBe(299);
    expect(a.train.dtype).toBe('uint16');
    expect(await digests(b.dir)).toEqual(await digests(a.dir));
    const tokenizer = await loadTokenizer(a.dir);
    expect(tokenizer?.kind).toBe('bpe');
    const decoded = (await tokenizer?.decode(tokensOf(a.train)))
      ?.split('<|endoftext|>')
      .filter(Boolean);
    expect(decoded).toHaveLength(8);
    for (const document of decoded ?? []) expect(DOCUMENTS).toContain(document);
  });

  it('gives each tokenizer, split and corpus its own cache entry', async () => {
    const cacheDir = join(root, 'keys');
    const base: DataSpec = {
      corpus: { kind: 'jsonl', paths: [join(corpusDir, 'c.jsonl')], field: 'body' },
      tokenizer: { kind: 'gpt2' },
      valFraction: 0.25,
    };
    const hashes = await Promise.all(
      [
        base,
        { ...base, valFraction: 0.3 },
        { ...base, corpus: { kind: 'text', paths: [join(corpusDir, 'a.txt')] } },
      ].map(async (spec) => (await prepareData(spec as DataSpec, { cacheDir })).contentHash),
    );
    expect(new Set(hashes).size).toBe(3);
  });

  it('lets concurrent preparers build once: the others wait and reuse the copy', async () => {
    const spec: DataSpec = {
      corpus: { kind: 'jsonl', paths: [join(corpusDir, 'c.jsonl')], field: 'body' },
      tokenizer: { kind: 'bpe', vocabSize: 280 },
      valFraction: 0.25,
    };
    const cacheDir = join(root, 'race');
    const progressCalls = [0, 0, 0];
    const racing = await Promise.all(
      progressCalls.map((_, i) =>
        prepareData(spec, {
          cacheDir,
          onProgress: () => (progressCalls[i] = (progressCalls[i] ?? 0) + 1),
        }),
      ),
    );
    expect(progressCalls.filter((calls) => calls > 0)).toHaveLength(1);
    expect(new Set(racing.map((prepared) => prepared.dir)).size).toBe(1);
    expect(await readdir(join(cacheDir, 'data'))).toEqual([racing[0]?.contentHash]);
    const alone = await prepareData(spec, { cacheDir: join(root, 'alone') });
    expect(await digests(racing[0]?.dir ?? '')).toEqual(await digests(alone.dir));
  });

  it('takes over the lock and clears the unfinished entry left by a preparer that died', async () => {
    const spec: DataSpec = {
      corpus: { kind: 'jsonl', paths: [join(corpusDir, 'c.jsonl')], field: 'body' },
      tokenizer: { kind: 'gpt2' },
      valFraction: 0.25,
    };
    const cacheDir = join(root, 'stale');
    const { contentHash } = await prepareData(spec, { cacheDir: join(root, 'probe') });
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await mkdir(join(cacheDir, 'data'), { recursive: true });
    await mkdir(join(cacheDir, 'data', `.partial-${contentHash}`));
    await writeFile(
      join(cacheDir, 'data', `.partial-${contentHash}`, 'train-00000.bin.tmp'),
      'junk',
    );
    await writeFile(
      join(cacheDir, 'data', `.lock-${contentHash}`),
      JSON.stringify({ pid: dead, host: hostname() }),
    );
    const prepared = await prepareData(spec, { cacheDir });
    expect(prepared.contentHash).toBe(contentHash);
    expect(await readdir(join(cacheDir, 'data'))).toEqual([contentHash]);
  });

  it.each(['uint16', 'uint32'] as const)(
    'copies pre-tokenised nanoGPT %s shards as they are',
    async (dtype) => {
      const typed = (values: number[]): Uint16Array | Uint32Array =>
        dtype === 'uint16' ? Uint16Array.from(values) : Uint32Array.from(values);
      const train = typed(Array.from({ length: 1000 }, (_, i) => (i * 7) % 500));
      const val = typed(Array.from({ length: 200 }, (_, i) => (i * 3) % 500));
      const trainPath = join(corpusDir, `train-${dtype}.bin`);
      const valPath = join(corpusDir, `val-${dtype}.bin`);
      await writeFile(trainPath, Buffer.from(train.buffer));
      await writeFile(valPath, Buffer.from(val.buffer));
      const prepared = await prepareData(
        {
          corpus: { kind: 'shards', train: trainPath, val: valPath, dtype, vocabSize: 500 },
          tokenizer: { kind: 'none' },
          valFraction: 0.1,
        },
        { cacheDir: join(root, 'shards') },
      );
      expect(prepared.train.dtype).toBe(dtype);
      expect(Array.from(tokensOf(prepared.train))).toEqual(Array.from(train));
      expect(Array.from(tokensOf(prepared.val))).toEqual(Array.from(val));
      expect(prepared.vocabSize).toBe(500);
      expect(prepared.eotId).toBe(499);
      expect(await readFile(join(prepared.dir, 'train-00000.bin'))).toEqual(
        await readFile(trainPath),
      );
      expect(await loadTokenizer(prepared.dir)).toBeUndefined();
    },
  );
});
