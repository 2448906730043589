import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSpec, Family, RunSpec } from '@isoflop/planner';

export const SYNTHETIC_VOCAB = 64;

/**
 * Writes train and val token shards (uint16) drawn from a seeded Markov chain over 64 tokens: each token is
 * a fixed function of the previous one 80% of the time, so a model has something to learn, and reading
 * shards skips tokenizer training.
 */
export async function syntheticShards(dir: string, tokens = 40_000): Promise<DataSpec> {
  await mkdir(dir, { recursive: true });
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const write = async (name: string, count: number): Promise<string> => {
    const shard = new Uint16Array(count);
    let token = 0;
    for (let i = 0; i < count; i++) {
      token =
        next() < 0.8 ? (token * 5 + 3) % SYNTHETIC_VOCAB : Math.floor(next() * SYNTHETIC_VOCAB);
      shard[i] = token;
    }
    const path = join(dir, name);
    await writeFile(path, Buffer.from(shard.buffer));
    return path;
  };
  return {
    corpus: {
      kind: 'shards',
      train: await write('train.bin', tokens),
      val: await write('val.bin', Math.floor(tokens / 10)),
      dtype: 'uint16',
      vocabSize: SYNTHETIC_VOCAB,
    },
    tokenizer: { kind: 'none' },
    valFraction: 0.1,
  };
}

/** The default corpus (State of the Union addresses) with a small corpus-trained BPE. */
export const SOTU_SMALL_BPE: DataSpec = {
  corpus: { kind: 'sotu' },
  tokenizer: { kind: 'bpe', vocabSize: 512 },
  valFraction: 0.05,
};

/** One cache for every trainer test on this machine: BPE training on the default corpus takes a minute. */
export const SHARED_DATA_CACHE = join(tmpdir(), 'isoflop-trainer-tests-cache');

/** A RunSpec small enough to train in a second or two on CPU. */
export function tinyRun(family: Family, data: DataSpec, overrides: Partial<RunSpec> = {}): RunSpec {
  const vocabSize = data.corpus.kind === 'shards' ? data.corpus.vocabSize : 512;
  const shape = { dModel: 48, nLayers: 1, nHeads: 2, ffnHidden: 96, vocabSize, seqLen: 16 };
  const run: RunSpec = {
    id: `tiny-${family}`,
    sweepName: 'trainer-tests',
    family,
    variant: family,
    budgetFlops: 1e9,
    achievedFlops: 1e9,
    params: 12 * 48 * 48,
    paramConvention: 'paper',
    exactParams: 16 * 48 * 48,
    tokens: 8 * 4 * 16,
    steps: 8,
    batchSize: 4,
    shape,
    optimizer: {
      lr: 3e-3,
      minLr: 3e-4,
      warmupSteps: 2,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-8,
      weightDecay: 0.1,
      gradClip: 1,
    },
    data,
    eval: { tokens: 256, every: 4, seed: 0 },
    device: 'cpu',
    precision: 'fp32',
    seed: 1,
    checkpointEvery: 4,
  };
  if (family === 'mdm') run.mdm = { eps: 1e-3 };
  if (family === 'mdm-prime-v2') {
    const length = Math.ceil(Math.log2(vocabSize));
    run.prime = {
      base: 2,
      length,
      shuffle: true,
      shuffleSeed: 0,
      embedding: 'cat-share',
      objective: 'published',
    };
  }
  return { ...run, ...overrides };
}

/**
 * A sweep spec (as written to a spec file) over one tiny shape whose runs take 6 steps of 4×16 tokens,
 * reading the shards of `syntheticShards(join(specDir, 'corpus'))` by relative paths.
 */
export function tinySweepSpec(
  name: string,
  families: readonly Family[],
  data: DataSpec,
): Record<string, unknown> {
  if (data.corpus.kind !== 'shards') throw new Error('tinySweepSpec: expected shards');
  return {
    name,
    families: Object.fromEntries(families.map((family) => [family, {}])),
    // 6·(12·48²)·D with D = 6 steps of 4×16 tokens
    budgets: [6 * 12 * 48 * 48 * 6 * 64],
    sizes: { shapes: [{ dModel: 48, nLayers: 1, nHeads: 2 }] },
    seqLen: 16,
    batchSize: 4,
    data: {
      corpus: { ...data.corpus, train: 'corpus/train.bin', val: 'corpus/val.bin' },
      tokenizer: { kind: 'none' },
    },
    eval: { tokens: 128, every: 3 },
    checkpointEvery: 2,
  };
}
