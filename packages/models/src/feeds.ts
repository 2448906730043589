import { ModelError } from './errors.js';
import { PrimeCodec } from './prime-codec.js';
import { Rng } from './rng.js';
import type { ModelConfig, PrimeOptions } from './types.js';
import { diffusionEps, requirePrime, validateModelConfig } from './validate-config.js';

export type FloatType = 'float32' | 'float64';

export type FeedTensor =
  | { type: 'int32'; data: Int32Array; dims: number[] }
  | { type: 'float32'; data: Float32Array; dims: number[] }
  | { type: 'float64'; data: Float64Array; dims: number[] };

/** Host-computed graph inputs by input name; the trainer wraps each in an ORT tensor as is. */
export type Feeds = Record<string, FeedTensor>;

/** Names of the per-batch graph inputs. Which ones a graph takes depends on the family and objective. */
export const FEED = {
  /** [B, T] int32 token ids; for MDM masked positions hold the mask id V. */
  tokens: 'tokens',
  /** [B, T] int32 target token ids (ARM: the next token; MDM and Prime: the clean token). */
  targets: 'targets',
  /** [B, T] per-token loss weight: MDM 1[masked]/t (eval: T/m), Prime-J 1/t for every token. */
  tokenWeights: 'token_weights',
  /** [B, T, l] int32 sub-token digits, masked digits hold the mask symbol b (K; J in training). */
  digits: 'digits',
  /** [B, T, l] int32 digits for evaluating J, masked with its own t-drawn pattern (Prime eval only). */
  objectiveDigits: 'objective_digits',
  /** [B, T, l·b] one-hot of each visible digit (zero rows for masked digits): the carry-over filter. */
  visibleOneHot: 'visible_onehot',
  /** [B, T, 1] number of visible digits per token. */
  visibleCount: 'visible_count',
  /** [B, T, l·b] (1/t)·one-hot of the clean digit at masked digits (eval: (T·l)/m): K's weights. */
  digitTargetWeights: 'digit_target_weights',
} as const;

/** A draw key: the integers that fix every random choice of one batch, e.g. [runSeed, step]. */
export type DrawKey = number | readonly number[];

function rngFor(key: DrawKey): Rng {
  return typeof key === 'number' ? new Rng(key) : new Rng(...key);
}

function floatTensor(type: FloatType, values: Float64Array, dims: number[]): FeedTensor {
  return type === 'float64'
    ? { type, data: values, dims }
    : { type, data: Float32Array.from(values), dims };
}

/**
 * Diffusion times for a batch, stratified across rows as in MDLM: t_k = eps + (1 − eps)·(k + u_k)/B,
 * so that every batch covers [eps, 1] evenly and the 1/t weights do not swing from batch to batch.
 */
export function stratifiedTimes(batchSize: number, eps: number, rng: Rng): Float64Array {
  const t = new Float64Array(batchSize);
  for (let k = 0; k < batchSize; k++) t[k] = eps + (1 - eps) * ((k + rng.nextFloat()) / batchSize);
  return t;
}

/**
 * Masked-unit counts for evaluation, stratified across rows: m_k = 1 + ⌊n·(k + u_k)/B⌋ ∈ [1, n], so
 * that the batch mean is an unbiased average over m uniform on {1..n}.
 */
export function stratifiedCounts(batchSize: number, units: number, rng: Rng): Int32Array {
  const m = new Int32Array(batchSize);
  for (let k = 0; k < batchSize; k++)
    m[k] = 1 + Math.floor((units * (k + rng.nextFloat())) / batchSize);
  return m;
}

/** A uniformly random subset of size `count` of [0, n), as a 0/1 mask (partial Fisher-Yates). */
function randomSubset(n: number, count: number, rng: Rng, scratch: Int32Array): Uint8Array {
  for (let i = 0; i < n; i++) scratch[i] = i;
  const chosen = new Uint8Array(n);
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(n - i);
    const pick = scratch[j]!;
    scratch[j] = scratch[i]!;
    scratch[i] = pick;
    chosen[pick] = 1;
  }
  return chosen;
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
    this.codec =
      config.family === 'mdm-prime-v2'
        ? primeCodecFor(config.shape.vocabSize, requirePrime(config))
        : undefined;
  }

  /** Training feeds; `key` is e.g. [runSeed, step]. */
  train(batch: Int32Array, key: DrawKey): Feeds {
    return this.build(batch, key, 'train');
  }

  /** Evaluation feeds; key from the sweep's eval seed and the batch index, never the run. */
  eval(batch: Int32Array, key: DrawKey): Feeds {
    return this.build(batch, key, 'eval');
  }

  private build(batch: Int32Array, key: DrawKey, purpose: 'train' | 'eval'): Feeds {
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
    const rng = rngFor(key);
    switch (this.config.family) {
      case 'arm':
        return this.arm(batch);
      case 'mdm':
        return purpose === 'train' ? this.mdm(batch, rng) : this.mdmEval(batch, rng);
      case 'mdm-prime-v2':
        return purpose === 'train' ? this.prime(batch, rng) : this.primeEval(batch, rng);
    }
  }

  private arm(batch: Int32Array): Feeds {
    const B = this.batchSize;
    const T = this.config.shape.seqLen;
    const tokens = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      tokens.set(batch.subarray(b * (T + 1), b * (T + 1) + T), b * T);
      targets.set(batch.subarray(b * (T + 1) + 1, (b + 1) * (T + 1)), b * T);
    }
    return {
      [FEED.tokens]: { type: 'int32', data: tokens, dims: [B, T] },
      [FEED.targets]: { type: 'int32', data: targets, dims: [B, T] },
    };
  }

  private mdm(batch: Int32Array, rng: Rng): Feeds {
    const B = this.batchSize;
    const T = this.config.shape.seqLen;
    const maskId = this.config.shape.vocabSize;
    const t = stratifiedTimes(B, diffusionEps(this.config), rng);
    const tokens = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    const weights = new Float64Array(B * T);
    for (let b = 0; b < B; b++) {
      const tb = t[b]!;
      for (let i = 0; i < T; i++) {
        const x = batch[b * (T + 1) + i]!;
        const masked = rng.nextFloat() < tb;
        tokens[b * T + i] = masked ? maskId : x;
        targets[b * T + i] = x;
        weights[b * T + i] = masked ? 1 / tb : 0;
      }
    }
    return {
      [FEED.tokens]: { type: 'int32', data: tokens, dims: [B, T] },
      [FEED.targets]: { type: 'int32', data: targets, dims: [B, T] },
      [FEED.tokenWeights]: floatTensor(this.floatType, weights, [B, T]),
    };
  }

  private mdmEval(batch: Int32Array, rng: Rng): Feeds {
    const B = this.batchSize;
    const T = this.config.shape.seqLen;
    const maskId = this.config.shape.vocabSize;
    const counts = stratifiedCounts(B, T, rng);
    const scratch = new Int32Array(T);
    const tokens = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    const weights = new Float64Array(B * T);
    for (let b = 0; b < B; b++) {
      const m = counts[b]!;
      const masked = randomSubset(T, m, rng, scratch);
      for (let i = 0; i < T; i++) {
        const x = batch[b * (T + 1) + i]!;
        tokens[b * T + i] = masked[i] ? maskId : x;
        targets[b * T + i] = x;
        weights[b * T + i] = masked[i] ? T / m : 0;
      }
    }
    return {
      [FEED.tokens]: { type: 'int32', data: tokens, dims: [B, T] },
      [FEED.targets]: { type: 'int32', data: targets, dims: [B, T] },
      [FEED.tokenWeights]: floatTensor(this.floatType, weights, [B, T]),
    };
  }

  /** K's inputs for digits masked by `isMasked(row, unit)` with weight `weightOf(row)` per masked digit. */
  private primeBoundFeeds(
    batch: Int32Array,
    isMasked: (row: number, unit: number) => boolean,
    weightOf: (row: number) => number,
  ): Feeds {
    const codec = this.codec!;
    const B = this.batchSize;
    const T = this.config.shape.seqLen;
    const l = codec.length;
    const base = codec.base;
    const digits = new Int32Array(B * T * l);
    const visibleOneHot = new Float64Array(B * T * l * base);
    const visibleCount = new Float64Array(B * T);
    const digitTargetWeights = new Float64Array(B * T * l * base);
    for (let b = 0; b < B; b++) {
      const w = weightOf(b);
      for (let i = 0; i < T; i++) {
        const n = b * T + i;
        const x = batch[b * (T + 1) + i]!;
        let visible = 0;
        for (let j = 0; j < l; j++) {
          const digit = codec.digits[x * l + j]!;
          if (isMasked(b, i * l + j)) {
            digits[n * l + j] = base;
            digitTargetWeights[(n * l + j) * base + digit] = w;
          } else {
            digits[n * l + j] = digit;
            visibleOneHot[(n * l + j) * base + digit] = 1;
            visible++;
          }
        }
        visibleCount[n] = visible;
      }
    }
    return {
      [FEED.digits]: { type: 'int32', data: digits, dims: [B, T, l] },
      [FEED.visibleOneHot]: floatTensor(this.floatType, visibleOneHot, [B, T, l * base]),
      [FEED.visibleCount]: floatTensor(this.floatType, visibleCount, [B, T, 1]),
      [FEED.digitTargetWeights]: floatTensor(this.floatType, digitTargetWeights, [B, T, l * base]),
    };
  }

  private primeEval(batch: Int32Array, rng: Rng): Feeds {
    const B = this.batchSize;
    const n = this.config.shape.seqLen * this.codec!.length;
    const counts = stratifiedCounts(B, n, rng);
    const scratch = new Int32Array(n);
    const masks = Array.from(counts, (m) => randomSubset(n, m, rng, scratch));
    const bound = this.primeBoundFeeds(
      batch,
      (row, unit) => masks[row]![unit] === 1,
      (row) => n / counts[row]!,
    );
    const { t, masks: objectiveMasks } = this.drawDigitMasks(rng);
    return {
      ...bound,
      ...this.primeObjectiveFeeds(batch, t, objectiveMasks, FEED.objectiveDigits),
    };
  }

  /** t per row (stratified) and each of the row's T·l digits masked with probability t. */
  private drawDigitMasks(rng: Rng): { t: Float64Array; masks: Uint8Array[] } {
    const units = this.config.shape.seqLen * this.codec!.length;
    const t = stratifiedTimes(this.batchSize, diffusionEps(this.config), rng);
    const masks = Array.from(t, (tb) => {
      const mask = new Uint8Array(units);
      for (let u = 0; u < units; u++) mask[u] = rng.nextFloat() < tb ? 1 : 0;
      return mask;
    });
    return { t, masks };
  }

  /** J's inputs: digits under `digitsName`, the clean tokens, and weight 1/t for every token. */
  private primeObjectiveFeeds(
    batch: Int32Array,
    t: Float64Array,
    masks: Uint8Array[],
    digitsName: string,
  ): Feeds {
    const codec = this.codec!;
    const B = this.batchSize;
    const T = this.config.shape.seqLen;
    const l = codec.length;
    const digits = new Int32Array(B * T * l);
    const targets = new Int32Array(B * T);
    const tokenWeights = new Float64Array(B * T);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < T; i++) {
        const n = b * T + i;
        const x = batch[b * (T + 1) + i]!;
        targets[n] = x;
        tokenWeights[n] = 1 / t[b]!;
        for (let j = 0; j < l; j++) {
          digits[n * l + j] = masks[b]![i * l + j] ? codec.base : codec.digits[x * l + j]!;
        }
      }
    }
    return {
      [digitsName]: { type: 'int32', data: digits, dims: [B, T, l] },
      [FEED.targets]: { type: 'int32', data: targets, dims: [B, T] },
      [FEED.tokenWeights]: floatTensor(this.floatType, tokenWeights, [B, T]),
    };
  }

  /** Training feeds (t-drawn masks, weight 1/t) of the objective the run trains on. */
  private prime(batch: Int32Array, rng: Rng): Feeds {
    const { t, masks } = this.drawDigitMasks(rng);
    if (requirePrime(this.config).objective === 'published') {
      return this.primeObjectiveFeeds(batch, t, masks, FEED.digits);
    }
    return this.primeBoundFeeds(
      batch,
      (row, unit) => masks[row]![unit] === 1,
      (row) => 1 / t[row]!,
    );
  }
}

const codecCache = new Map<string, PrimeCodec>();

/** The codec of a Prime configuration (memoised: building a 2^16-code permutation per call is waste). */
export function primeCodecFor(vocabSize: number, prime: PrimeOptions): PrimeCodec {
  const key = `${vocabSize}/${prime.base}/${prime.length}/${prime.shuffle}/${prime.shuffleSeed}`;
  let codec = codecCache.get(key);
  if (codec === undefined) {
    codec = PrimeCodec.create({ vocabSize, ...prime });
    codecCache.set(key, codec);
  }
  return codec;
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
