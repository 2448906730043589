import { FEED, type FloatType, type Feeds } from '../feed-inputs.js';
import { DEFAULT_EPS, validateEps } from '../internal/config-checks.js';
import { floatTensor, randomSubset, stratifiedCounts, stratifiedTimes } from '../feed-draws.js';
import { weightedRowSums } from '../objectives.js';
import type { Rng } from '../rng.js';
import type { ModelConfig } from '../types.js';
import { EMBED_STD, type FamilyFeeds, type FamilyModule } from './family-module.js';

/** Masked tokens hold the mask id V; the target is the clean token, weighted at masked positions. */
class MdmFeeds implements FamilyFeeds {
  readonly codec = undefined;

  constructor(
    private readonly config: ModelConfig,
    private readonly batchSize: number,
    private readonly floatType: FloatType,
  ) {}

  /** t per row (stratified), each token masked with probability t, weight 1/t. */
  train(batch: Int32Array, rng: Rng): Feeds {
    const B = this.batchSize;
    const T = this.config.shape.seqLen;
    const maskId = this.config.shape.vocabSize;
    const t = stratifiedTimes(B, this.config.mdm?.eps ?? DEFAULT_EPS, rng);
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

  /** Exactly m masked tokens per row (m stratified over 1..T), weight T/m (see FeedBuilder). */
  eval(batch: Int32Array, rng: Rng): Feeds {
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
}

/** Masked diffusion over tokens: bidirectional attention, NELBO with weights 1[masked]/t. */
export const mdm: FamilyModule = {
  causal: false,
  validate: (config) => {
    if (config.mdm !== undefined) validateEps(config.mdm.eps, 'mdm.eps');
  },
  // One extra row for the mask id V.
  inputEmbeddingParams: (shape) => (shape.vocabSize + 1) * shape.dModel,
  extraFlopsPerToken: () => 0,
  declareInputEmbedding: (ctx, config) =>
    ctx.param('embed.tokens', [config.shape.vocabSize + 1, config.shape.dModel], {
      kind: 'normal',
      std: EMBED_STD,
    }),
  embedInputs: (ctx, _config, table, ids) => ctx.b.gather(table, ids),
  rowSums: (ctx, config, batchSize, _purpose, forward) => {
    const logits = forward(ctx.b.input(FEED.tokens, 'int32', [batchSize, config.shape.seqLen]));
    const bound = weightedRowSums(ctx, logits);
    return { trained: bound, rows: { bound } };
  },
  createFeeds: (config, batchSize, floatType) => new MdmFeeds(config, batchSize, floatType),
  gradcheckConfig: (shape) => ({ family: 'mdm', shape, precision: 'fp32', mdm: { eps: 1e-3 } }),
};
