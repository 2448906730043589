import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareData, sampleBatch, validationBatches, type DataSpec } from '@isoflop/data';

/*
 * Fingerprints of the batches the default corpus gave before preparation streamed into shards (recorded on
 * the whole-file reader): the streaming preparation, the shard-reading sampler and the bounded BPE sample
 * must leave every run on SOTU drawing exactly the same tokens.
 */
const EXPECTED: Record<string, string> = {
  gpt2: 'e53bebef600bced4c56ba8c7326d74681d99ce2e1fdaed3b7f65f37d5b5c843a',
  'bpe-4096': '3deeb28b0e45d75d8dde6737b2a3ba61b5ed20ad200ff740dc3336f4d910b1c8',
};

const SPECS: Record<string, DataSpec> = {
  gpt2: { corpus: { kind: 'sotu' }, tokenizer: { kind: 'gpt2' }, valFraction: 0.05 },
  'bpe-4096': {
    corpus: { kind: 'sotu' },
    tokenizer: { kind: 'bpe', vocabSize: 4096 },
    valFraction: 0.02,
  },
};

describe('batches of the default corpus', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'isoflop-sotu-batches-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it.each(Object.keys(SPECS))('are the ones recorded before sharding (%s)', async (name) => {
    const prepared = await prepareData(SPECS[name] as DataSpec, { cacheDir: root });
    const hash = createHash('sha256');
    for (const seed of [0, 7]) {
      for (const step of [0, 1, 999, 123_456]) {
        const batch = sampleBatch(prepared.train, seed, step, 4, 128);
        hash.update(Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength));
      }
      for (const batch of validationBatches(prepared.val, seed, 4096, 4, 128)) {
        hash.update(Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength));
      }
    }
    expect(hash.digest('hex')).toBe(EXPECTED[name]);
  });
});
