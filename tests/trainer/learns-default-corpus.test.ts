import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { prepareData, unigramEntropy } from '@isoflop/data';
import { trainRun } from '@isoflop/trainer';
import { SHARED_DATA_CACHE, SOTU_SMALL_BPE, tinyRun } from './support/tiny-run.js';

it('a small ARM on the default corpus learns well below the unigram entropy of its tokens', async () => {
  const checkpointDir = await mkdtemp(join(tmpdir(), 'isoflop-learns-'));
  try {
    const prepared = await prepareData(SOTU_SMALL_BPE, { cacheDir: SHARED_DATA_CACHE });
    const entropy = unigramEntropy(prepared.val);
    const run = tinyRun('arm', SOTU_SMALL_BPE, {
      id: 'learns',
      steps: 120,
      batchSize: 8,
      shape: { dModel: 64, nLayers: 2, nHeads: 4, ffnHidden: 128, vocabSize: 512, seqLen: 32 },
      optimizer: {
        ...tinyRun('arm', SOTU_SMALL_BPE).optimizer,
        lr: 1e-2,
        minLr: 1e-3,
        warmupSteps: 10,
      },
      eval: { tokens: 4096, every: 1000, seed: 0 },
      checkpointEvery: 1000,
    });
    const result = await trainRun(run, {
      dataCacheDir: SHARED_DATA_CACHE,
      checkpointDir,
      threads: 2,
    });
    // ln 512 = 6.24 at initialisation; the unigram entropy is the best a model without context can do.
    expect(result.valLoss).toBeLessThan(entropy - 0.3);
    expect(result.valLoss + 4 * result.valLossStdErr).toBeLessThan(entropy);
  } finally {
    await rm(checkpointDir, { recursive: true, force: true });
  }
});
