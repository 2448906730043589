import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBpeSample } from './bpe-sample.js';

describe('writeBpeSample', () => {
  let dir: string;
  const documents = Array.from({ length: 40 }, (_, i) => `document ${i} `.repeat(10 + i));
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isoflop-bpe-sample-'));
    await writeFile(join(dir, 'corpus.txt'), documents.join('\n<|endoftext|>\n'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const sample = async (isVal: Uint8Array, maxBytes: number): Promise<string> => {
    const path = join(dir, 'sample.txt');
    const bytes = await writeBpeSample(
      { kind: 'text', paths: [join(dir, 'corpus.txt')] },
      [{ path: join(dir, 'corpus.txt'), field: 'data.corpus.paths[0]' }],
      isVal,
      path,
      maxBytes,
    );
    const text = await readFile(path, 'utf8');
    expect(Buffer.byteLength(text)).toBe(bytes);
    return text;
  };

  it('is every training document joined by newlines when the corpus is under the bound', async () => {
    const isVal = Uint8Array.from(documents, (_, i) => (i % 5 === 0 ? 1 : 0));
    const train = documents.filter((_, i) => i % 5 !== 0);
    expect(await sample(isVal, 1 << 20)).toBe(train.join('\n'));
  });

  it('stops before the first training document that would pass the bound', async () => {
    const isVal = new Uint8Array(documents.length);
    const text = await sample(isVal, 2000);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(2000);
    const kept = text.split('\n');
    expect(kept).toEqual(documents.slice(0, kept.length));
    expect(Buffer.byteLength(`${text}\n${documents[kept.length]}`)).toBeGreaterThan(2000);
  });
});
