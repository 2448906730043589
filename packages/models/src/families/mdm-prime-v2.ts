import { ModelError } from '../errors.js';
import { FEED, type FloatType, type Feeds } from '../feed-inputs.js';
import { DEFAULT_EPS, positiveInt, validateEps } from '../internal/config-checks.js';
import { floatTensor, randomSubset, stratifiedCounts, stratifiedTimes } from '../feed-draws.js';
import { primeNelboRowSums, weightedRowSums } from '../objectives.js';
import { PrimeCodec } from '../prime-codec.js';
import type { Rng } from '../rng.js';
import type { ModelConfig, ModelShape, PrimeOptions } from '../types.js';
import { EMBED_STD, type FamilyFeeds, type FamilyModule } from './family-module.js';

export function validatePrimeOptions(prime: PrimeOptions, shape: ModelShape, path = 'prime'): void {
  positiveInt(prime.base, `${path}.base`);
  positiveInt(prime.length, `${path}.length`);
  if (prime.base < 2) {
    throw new ModelError(
      'INVALID_CONFIG',
      `${path}.base`,
      `expected at least 2, got ${prime.base}`,
    );
  }
  const codes = prime.base ** prime.length;
  if (codes < shape.vocabSize) {
    throw new ModelError(
      'INVALID_CONFIG',
      `${path}.length`,
      `base^length = ${codes} cannot encode vocabSize ${shape.vocabSize}`,
    );
  }
  if (codes > 2 ** 30) {
    throw new ModelError(
      'INVALID_CONFIG',
      `${path}.length`,
      `base^length = ${codes} codes is too many to tabulate (limit 2^30)`,
    );
  }
  if (prime.embedding === 'cat-share' && shape.dModel % prime.length !== 0) {
    throw new ModelError(
      'INVALID_CONFIG',
      `${path}.embedding`,
      `cat-share needs dModel ${shape.dModel} divisible by length ${prime.length}`,
    );
  }
  if (prime.embedding !== 'cat-share' && prime.embedding !== 'sum') {
    throw new ModelError('INVALID_CONFIG', `${path}.embedding`, `expected 'cat-share' or 'sum'`);
  }
  if (prime.objective !== 'published' && prime.objective !== 'nelbo') {
    throw new ModelError('INVALID_CONFIG', `${path}.objective`, `expected 'published' or 'nelbo'`);
  }
  validateEps(prime.eps ?? DEFAULT_EPS, `${path}.eps`);
}

function requirePrime(config: ModelConfig): PrimeOptions {
  if (config.prime === undefined) {
    throw new ModelError('INVALID_CONFIG', 'prime', `family 'mdm-prime-v2' needs prime options`);
  }
  return config.prime;
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

/**
 * Digits of each token under the codec, masked digit by digit. Training masks each digit with
 * probability t and feeds the inputs of the trained objective (J or K); evaluation feeds K on
 * fixed-count masks and J on its own t-drawn masks (see FeedBuilder).
 */
class PrimeFeeds implements FamilyFeeds {
  readonly codec: PrimeCodec;

  constructor(
    private readonly config: ModelConfig,
    private readonly batchSize: number,
    private readonly floatType: FloatType,
  ) {
    this.codec = primeCodecFor(config.shape.vocabSize, requirePrime(config));
  }

  /** Training feeds (t-drawn masks, weight 1/t) of the objective the run trains on. */
  train(batch: Int32Array, rng: Rng): Feeds {
    const { t, masks } = this.drawDigitMasks(rng);
    if (requirePrime(this.config).objective === 'published') {
      return this.objectiveFeeds(batch, t, masks, FEED.digits);
    }
    return this.boundFeeds(
      batch,
      (row, unit) => masks[row]![unit] === 1,
      (row) => 1 / t[row]!,
    );
  }

  eval(batch: Int32Array, rng: Rng): Feeds {
    const B = this.batchSize;
    const n = this.config.shape.seqLen * this.codec.length;
    const counts = stratifiedCounts(B, n, rng);
    const scratch = new Int32Array(n);
    const masks = Array.from(counts, (m) => randomSubset(n, m, rng, scratch));
    const bound = this.boundFeeds(
      batch,
      (row, unit) => masks[row]![unit] === 1,
      (row) => n / counts[row]!,
    );
    const { t, masks: objectiveMasks } = this.drawDigitMasks(rng);
    return {
      ...bound,
      ...this.objectiveFeeds(batch, t, objectiveMasks, FEED.objectiveDigits),
    };
  }

  /** K's inputs for digits masked by `isMasked(row, unit)` with weight `weightOf(row)` per masked digit. */
  private boundFeeds(
    batch: Int32Array,
    isMasked: (row: number, unit: number) => boolean,
    weightOf: (row: number) => number,
  ): Feeds {
    const codec = this.codec;
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

  /** t per row (stratified) and each of the row's T·l digits masked with probability t. */
  private drawDigitMasks(rng: Rng): { t: Float64Array; masks: Uint8Array[] } {
    const units = this.config.shape.seqLen * this.codec.length;
    const t = stratifiedTimes(this.batchSize, this.config.prime?.eps ?? DEFAULT_EPS, rng);
    const masks = Array.from(t, (tb) => {
      const mask = new Uint8Array(units);
      for (let u = 0; u < units; u++) mask[u] = rng.nextFloat() < tb ? 1 : 0;
      return mask;
    });
    return { t, masks };
  }

  /** J's inputs: digits under `digitsName`, the clean tokens, and weight 1/t for every token. */
  private objectiveFeeds(
    batch: Int32Array,
    t: Float64Array,
    masks: Uint8Array[],
    digitsName: string,
  ): Feeds {
    const codec = this.codec;
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
}

/**
 * Masked diffusion over b-ary sub-tokens (paper-notes 5): each token is l digits under a (shuffled)
 * code table; trains on the published objective J or on the bound K.
 */
export const mdmPrimeV2: FamilyModule = {
  causal: false,
  validate: (config) => validatePrimeOptions(requirePrime(config), config.shape),
  inputEmbeddingParams: (shape, layout) => {
    const prime = layout.prime ?? { base: 2, length: 1, embedding: 'cat-share' as const };
    const rows = prime.base + 1;
    const d = shape.dModel;
    return prime.embedding === 'cat-share' ? (rows * d) / prime.length : prime.length * rows * d;
  },
  // K's two products with the [V, l·b] digit table: 4·l·b·V forward, 2·l·b·V backward per token.
  extraFlopsPerToken: (config) =>
    config.prime?.objective === 'nelbo'
      ? 6 * config.prime.length * config.prime.base * config.shape.vocabSize
      : 0,
  /** `cat-share`: one (b+1) × d/l table; `sum`: one (b+1) × d table per digit position, stacked. */
  declareInputEmbedding: (ctx, config) => {
    const d = config.shape.dModel;
    const prime = requirePrime(config);
    const symbols = prime.base + 1;
    return prime.embedding === 'cat-share'
      ? ctx.param('embed.digits', [symbols, d / prime.length], { kind: 'normal', std: EMBED_STD })
      : ctx.param('embed.digits', [prime.length * symbols, d], { kind: 'normal', std: EMBED_STD });
  },
  /** `cat-share` concatenates the l digit vectors of a token; `sum` adds the per-position vectors. */
  embedInputs: (ctx, config, table, ids) => {
    const { b } = ctx;
    const [B, T] = ids.shape as [number, number, number];
    const prime = requirePrime(config);
    if (prime.embedding === 'cat-share')
      return b.reshape(b.gather(table, ids), [B, T, config.shape.dModel]);
    const symbols = prime.base + 1;
    // Row of digit j with symbol s is j·(b+1) + s; integer adds go through float (exact for these sizes).
    const offsets = b.floatConstant(
      Array.from({ length: prime.length }, (_, j) => j * symbols),
      [prime.length],
    );
    const rows = b.cast(b.add(b.cast(ids, b.dtype), offsets), 'int32');
    return b.reduceSum(b.gather(table, rows), [2]);
  },
  /** Eval builds K and, from a second forward pass on its own (t-drawn) digits, J. */
  rowSums: (ctx, config, batchSize, purpose, forward) => {
    const { b } = ctx;
    const T = config.shape.seqLen;
    const prime = requirePrime(config);
    const codec = primeCodecFor(config.shape.vocabSize, prime);
    const digits = (name: string) => b.input(name, 'int32', [batchSize, T, prime.length]);
    if (purpose === 'train') {
      const logits = forward(digits(FEED.digits));
      const trained =
        prime.objective === 'published'
          ? weightedRowSums(ctx, logits)
          : primeNelboRowSums(ctx, logits, codec);
      return {
        trained,
        rows: prime.objective === 'published' ? { objective: trained } : { bound: trained },
      };
    }
    const bound = primeNelboRowSums(ctx, forward(digits(FEED.digits)), codec);
    const objective = weightedRowSums(ctx, forward(digits(FEED.objectiveDigits)));
    return {
      trained: prime.objective === 'published' ? objective : bound,
      rows: { bound, objective },
    };
  },
  createFeeds: (config, batchSize, floatType) => new PrimeFeeds(config, batchSize, floatType),
  gradcheckConfig: (shape, prime) => ({
    family: 'mdm-prime-v2',
    shape,
    precision: 'fp32',
    prime: {
      base: 2,
      length: 4,
      shuffle: true,
      shuffleSeed: 17,
      embedding: prime.embedding ?? 'cat-share',
      objective: prime.objective ?? 'published',
    },
  }),
};
