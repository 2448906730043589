import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, prepareData, readBoundedFile, type DataSpec } from '@isoflop/data';

/**
 * Issue 15, defect 3: a corpus path of /dev/zero, a FIFO or a symlink to a device was read without bound
 * (a worker reached 17.7 GB; `isoflop data prepare` hung on it). Each must be refused, naming the field,
 * before a byte is read: a FIFO with no writer would block an `open` for reading forever, so the refusal
 * coming back at all proves nothing opened it.
 */
describe('corpus paths that are not regular files', () => {
  let root: string;
  const file = (name: string): string => join(root, name);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'isoflop-special-files-'));
    execFileSync('mkfifo', [file('corpus.fifo')]);
    await symlink('/dev/zero', file('zero-link.txt'));
    await writeFile(file('ok.txt'), 'First document.\n<|endoftext|>\nSecond document.\n');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const textSpec = (paths: string[]): DataSpec => ({
    corpus: { kind: 'text', paths },
    tokenizer: { kind: 'gpt2' },
    valFraction: 0.1,
  });

  it.each([
    ['/dev/zero', () => '/dev/zero', /'\/dev\/zero' is a character device/],
    ['a FIFO', () => file('corpus.fifo'), /is a FIFO/],
    ['a symlink to /dev/zero', () => file('zero-link.txt'), /is a character device/],
    [
      'a directory holding a symlink to /dev/zero',
      () => root,
      /zero-link\.txt' is a character device/,
    ],
  ])('refuses %s with the field path, without reading it', async (_name, path, message) => {
    const error = await prepareData(textSpec([file('ok.txt'), path()]), {
      cacheDir: file('cache'),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ code: 'NOT_A_FILE', field: 'data.corpus.paths[1]' });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/^data\.corpus\.paths\[1\]: expected a regular file/);
  });

  it('refuses a shards corpus on /dev/zero the same way', async () => {
    const spec: DataSpec = {
      corpus: {
        kind: 'shards',
        train: '/dev/zero',
        val: file('ok.txt'),
        dtype: 'uint16',
        vocabSize: 50_304,
      },
      tokenizer: { kind: 'none' },
      valFraction: 0.1,
    };
    await expect(prepareData(spec, { cacheDir: file('cache') })).rejects.toMatchObject({
      code: 'NOT_A_FILE',
      field: 'data.corpus.train',
    });
  });

  it('reads a regular file whole, and refuses one over the bound', async () => {
    await expect(readBoundedFile(file('ok.txt'), 'f')).resolves.toHaveLength(47);
    await expect(readBoundedFile(file('ok.txt'), 'data.corpus.paths[0]', 10)).rejects.toMatchObject(
      {
        code: 'FILE_TOO_LARGE',
        field: 'data.corpus.paths[0]',
        message: expect.stringMatching(/expected at most 10 bytes, '.*ok\.txt' holds 47/) as string,
      },
    );
  });
});
