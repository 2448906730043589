import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, prepareData, type DataSpec, type TokenShard } from '@isoflop/data';
import { committeeReports, committeeReportsJsonl } from './fixtures/committee-reports.js';

const ZSTD_FIXTURE = fileURLToPath(
  new URL('./fixtures/committee-reports.jsonl.zst', import.meta.url),
);

function tokensOf(shard: TokenShard): number[] {
  const out = new Int32Array(shard.length);
  shard.read(0, shard.length, out, 0);
  return Array.from(out);
}

describe('prepareData on streamed inputs', () => {
  let root: string;
  const corpus = (name: string): string => join(root, 'corpus', name);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'isoflop-data-streaming-'));
    const reports = committeeReports();
    const text = (from: number, to: number): string =>
      reports.slice(from, to).join('\n<|endoftext|>\n');
    await mkdir(corpus('dir/nested'), { recursive: true });
    await writeFile(corpus('all.txt'), text(0, 12));
    await writeFile(corpus('dir/a.txt'), text(0, 5));
    await writeFile(corpus('dir/nested/b.txt.gz'), gzipSync(text(5, 12)));
    await writeFile(corpus('plain.jsonl'), `${committeeReportsJsonl()}\n`);
    await writeFile(corpus('plain.jsonl.gz'), gzipSync(`${committeeReportsJsonl()}\n`));
    await copyFile(ZSTD_FIXTURE, corpus('plain.jsonl.zst'));
    await writeFile(corpus('broken.jsonl.gz'), Buffer.from('not gzip at all'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const prepare = (corpusSpec: DataSpec['corpus']): ReturnType<typeof prepareData> =>
    prepareData(
      { corpus: corpusSpec, tokenizer: { kind: 'gpt2' }, valFraction: 0.2 },
      { cacheDir: join(root, 'cache'), threads: 2, shardTokens: 50 },
    );

  it('gives the same token streams from a directory (with a gzip file) as from one file', async () => {
    const whole = await prepare({ kind: 'text', paths: [corpus('all.txt')] });
    const fromDir = await prepare({ kind: 'text', paths: [corpus('dir')] });
    expect(whole.header.corpus.documents).toBe(12);
    expect(fromDir.header.corpus.files).toBe(2);
    expect(tokensOf(fromDir.train)).toEqual(tokensOf(whole.train));
    expect(tokensOf(fromDir.val)).toEqual(tokensOf(whole.val));
    expect(whole.header.train.shards.length).toBeGreaterThan(3);
  });

  it('reads gzip and zstd jsonl, and globs, as the plain file', async () => {
    const plain = await prepare({ kind: 'jsonl', paths: [corpus('plain.jsonl')], field: 'body' });
    for (const path of [corpus('plain.jsonl.gz'), corpus('plain.jsonl.zst')]) {
      const packed = await prepare({ kind: 'jsonl', paths: [path], field: 'body' });
      expect(packed.contentHash).not.toBe(plain.contentHash);
      expect(tokensOf(packed.train)).toEqual(tokensOf(plain.train));
      expect(tokensOf(packed.val)).toEqual(tokensOf(plain.val));
    }
    const globbed = await prepare({ kind: 'text', paths: [corpus('dir/**/*.txt*')] });
    const fromDir = await prepare({ kind: 'text', paths: [corpus('dir')] });
    expect(globbed.contentHash).toBe(fromDir.contentHash);
  });

  it('names the field of a file that is not what its extension says, or a glob that matches nothing', async () => {
    const errorOf = async (corpusSpec: DataSpec['corpus']): Promise<DataError> => {
      const error: unknown = await prepare(corpusSpec).catch((caught: unknown) => caught);
      if (!(error instanceof DataError))
        throw new Error(`expected a DataError, got ${String(error)}`);
      return error;
    };
    const broken = await errorOf({
      kind: 'jsonl',
      paths: [corpus('plain.jsonl'), corpus('broken.jsonl.gz')],
      field: 'body',
    });
    expect(broken).toMatchObject({ code: 'BAD_CORPUS', field: 'data.corpus.paths[1]' });
    expect(broken.message).toMatch(/expected a valid gzip file/);
    const none = await errorOf({ kind: 'text', paths: [corpus('dir/*.md')] });
    expect(none).toMatchObject({ code: 'CORPUS_NOT_FOUND', field: 'data.corpus.paths[0]' });
  });
});
