import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, prepareData, type DataSpec } from '@isoflop/data';

describe('prepareData with bad input', () => {
  let root: string;
  const file = (name: string): string => join(root, name);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'isoflop-data-bad-'));
    await writeFile(file('ok.txt'), 'First document.\n<|endoftext|>\nSecond document.\n');
    await writeFile(file('one.txt'), 'Only one document here.\n');
    await writeFile(file('bad.jsonl'), '{"text": "fine"}\n{"text": "also fine"}\nnot json\n');
    await writeFile(file('nofield.jsonl'), '{"text": "fine"}\n{"body": "wrong field"}\n');
    await writeFile(file('odd.bin'), Buffer.alloc(7));
    await writeFile(file('big-id.bin'), Buffer.from(Uint16Array.from([1, 2, 900]).buffer));
    await writeFile(file('good.bin'), Buffer.from(Uint16Array.from([1, 2, 3, 4]).buffer));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const cases: [string, DataSpec, { code: string; field: string; message: RegExp }][] = [
    [
      'a missing corpus file',
      {
        corpus: { kind: 'text', paths: [join(tmpdir(), 'nowhere', 'x.txt')] },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.1,
      },
      {
        code: 'CORPUS_NOT_FOUND',
        field: 'data.corpus.paths[0]',
        message: /expected a readable file, but '.*x\.txt' no such file/,
      },
    ],
    [
      'a second missing file',
      {
        corpus: { kind: 'text', paths: ['OK', join(tmpdir(), 'nowhere', 'y.txt')] },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.1,
      },
      { code: 'CORPUS_NOT_FOUND', field: 'data.corpus.paths[1]', message: /y\.txt' no such file/ },
    ],
    [
      'a relative path',
      {
        corpus: { kind: 'text', paths: ['corpus.txt'] },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.1,
      },
      {
        code: 'INVALID_DATA_SPEC',
        field: 'data.corpus.paths[0]',
        message: /expected an absolute path/,
      },
    ],
    [
      'a corpus of one document',
      { corpus: { kind: 'text', paths: ['ONE'] }, tokenizer: { kind: 'gpt2' }, valFraction: 0.1 },
      {
        code: 'BAD_CORPUS',
        field: 'data.corpus.paths',
        message: /expected at least 2 non-empty documents/,
      },
    ],
    [
      'a line that is not JSON',
      {
        corpus: { kind: 'jsonl', paths: ['BAD_JSONL'], field: 'text' },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.1,
      },
      { code: 'BAD_CORPUS', field: 'data.corpus.paths[0]', message: /bad\.jsonl:3 is not JSON/ },
    ],
    [
      'a line without the field',
      {
        corpus: { kind: 'jsonl', paths: ['NOFIELD'], field: 'text' },
        tokenizer: { kind: 'gpt2' },
        valFraction: 0.1,
      },
      {
        code: 'BAD_CORPUS',
        field: 'data.corpus.paths[0]',
        message: /string field 'text' .*nofield\.jsonl:2 has none/,
      },
    ],
    [
      'a shard of odd length',
      {
        corpus: { kind: 'shards', train: 'ODD', val: 'GOOD', dtype: 'uint16', vocabSize: 500 },
        tokenizer: { kind: 'none' },
        valFraction: 0.1,
      },
      {
        code: 'BAD_CORPUS',
        field: 'data.corpus.train',
        message: /multiple of 2 bytes.*has 7 bytes/,
      },
    ],
    [
      'a shard id outside the vocabulary',
      {
        corpus: { kind: 'shards', train: 'GOOD', val: 'BIG', dtype: 'uint16', vocabSize: 500 },
        tokenizer: { kind: 'none' },
        valFraction: 0.1,
      },
      {
        code: 'BAD_CORPUS',
        field: 'data.corpus.val',
        message: /below the vocabulary size 500, .* holds id 900/,
      },
    ],
    [
      'a BPE vocabulary larger than the corpus supports',
      {
        corpus: { kind: 'text', paths: ['OK'] },
        tokenizer: { kind: 'bpe', vocabSize: 60_000 },
        valFraction: 0.1,
      },
      {
        code: 'INVALID_DATA_SPEC',
        field: 'data.tokenizer.vocabSize',
        message: /expected at most \d+ for this corpus/,
      },
    ],
  ];

  const placeholders: Record<string, string> = {
    OK: 'ok.txt',
    ONE: 'one.txt',
    BAD_JSONL: 'bad.jsonl',
    NOFIELD: 'nofield.jsonl',
    ODD: 'odd.bin',
    GOOD: 'good.bin',
    BIG: 'big-id.bin',
  };
  const resolve = (path: string): string => (placeholders[path] ? file(placeholders[path]) : path);

  it.each(cases)('rejects %s naming the field, and writes nothing', async (_, spec, expected) => {
    const corpus =
      spec.corpus.kind === 'shards'
        ? { ...spec.corpus, train: resolve(spec.corpus.train), val: resolve(spec.corpus.val) }
        : spec.corpus.kind === 'sotu'
          ? spec.corpus
          : { ...spec.corpus, paths: spec.corpus.paths.map(resolve) };
    const cacheDir = join(root, 'cache');
    const error: unknown = await prepareData({ ...spec, corpus }, { cacheDir }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ code: expected.code, field: expected.field });
    expect((error as DataError).message).toMatch(
      new RegExp(`^${expected.field.replace(/[[\].]/g, '\\$&')}: `),
    );
    expect((error as DataError).message).toMatch(expected.message);
    const left = await readdir(join(cacheDir, 'data')).catch(() => []);
    expect(left).toEqual([]);
  });
});
