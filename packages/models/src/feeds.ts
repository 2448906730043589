import { ModelError } from './errors.js';
import type { DrawKey, Feeds, FloatType } from './feed-inputs.js';
import type { FamilyFeeds } from './families/family-module.js';
import { familyModule } from './families/family-table.js';
import type { PrimeCodec } from './prime-codec.js';
import { Rng } from './rng.js';
import type { ModelConfig } from './types.js';
import { validateModelConfig } from './validate-config.js';

function rngFor(key: DrawKey): Rng {
  return typeof key === 'number' ? new Rng(key) : new Rng(...key);
}

/**
 * Builds the host-side feeds of one family from token rows [B, T + 1] (the data sampler's layout).
 * Construct once per run: the Prime codec (a permutation of all b^l codes) is built here.
 *
 * Training draws t per row (stratified) and masks each unit with probability t, weight 1/t, as the
 * papers' code. Evaluation of the bounds (MDM NELBO, Prime K) uses the same bound written over the
 * number of masked units: with the linear schedule, ∫(1/t)·E_t[Σ_masked −log p]dt equals
 * E_{m ~ U{1..n}} (n/m)·E_{|M| = m}[Σ_{u∈M} −log p] exactly (both are the expected sum of −log
 * conditionals over a uniformly random unmasking order), so each row masks exactly m units chosen
 * uniformly, weight n/m. This removes the Binomial noise in the number of masked units, which
 * dominates the t-estimator's variance (per token ≈ ln V·√(ln(1/eps)/T)). Prime's J, which is not a
 * bound and depends on eps, is evaluated with the training estimator on its own draw.
 */
export class FeedBuilder {
  readonly config: ModelConfig;
  readonly batchSize: number;
  readonly floatType: FloatType;
  readonly codec: PrimeCodec | undefined;
  private readonly family: FamilyFeeds;

  constructor(config: ModelConfig, batchSize: number, floatType: FloatType = 'float32') {
    validateModelConfig(config);
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ModelError(
        'INVALID_CONFIG',
        'batchSize',
        `expected a positive integer, got ${batchSize}`,
      );
    }
    this.config = config;
    this.batchSize = batchSize;
    this.floatType = floatType;
    this.family = familyModule(config.family).createFeeds(config, batchSize, floatType);
    this.codec = this.family.codec;
  }

  /** Training feeds; `key` is e.g. [runSeed, step]. */
  train(batch: Int32Array, key: DrawKey): Feeds {
    this.checkBatch(batch);
    return this.family.train(batch, rngFor(key));
  }

  /** Evaluation feeds; key from the sweep's eval seed and the batch index, never the run. */
  eval(batch: Int32Array, key: DrawKey): Feeds {
    this.checkBatch(batch);
    return this.family.eval(batch, rngFor(key));
  }

  private checkBatch(batch: Int32Array): void {
    const { shape } = this.config;
    const B = this.batchSize;
    const T = shape.seqLen;
    const V = shape.vocabSize;
    if (batch.length !== B * (T + 1)) {
      throw new ModelError(
        'INVALID_BATCH',
        'batch',
        `expected ${B}·${T + 1} = ${B * (T + 1)} token ids [batchSize, seqLen + 1], got ${batch.length}`,
      );
    }
    for (let i = 0; i < batch.length; i++) {
      const x = batch[i]!;
      if (!(x >= 0 && x < V)) {
        throw new ModelError('INVALID_BATCH', `batch[${i}]`, `token ${x} outside [0, ${V})`);
      }
    }
  }
}

function batchSizeOf(config: ModelConfig, batch: Int32Array): number {
  const row = config.shape.seqLen + 1;
  if (batch.length === 0 || batch.length % row !== 0) {
    throw new ModelError(
      'INVALID_BATCH',
      'batch',
      `length ${batch.length} is not a positive multiple of seqLen + 1 = ${row}`,
    );
  }
  return batch.length / row;
}

/** One-off training feeds; prefer a FeedBuilder per run (it keeps the Prime codec). */
export function prepareTrainFeeds(config: ModelConfig, batch: Int32Array, key: DrawKey): Feeds {
  return new FeedBuilder(config, batchSizeOf(config, batch)).train(batch, key);
}

/** One-off evaluation feeds; key from the sweep's eval seed and the batch index. */
export function prepareEvalFeeds(config: ModelConfig, batch: Int32Array, key: DrawKey): Feeds {
  return new FeedBuilder(config, batchSizeOf(config, batch)).eval(batch, key);
}
