import { FEED, type Feeds } from '../feed-inputs.js';
import { armRowSums } from '../objectives.js';
import type { ModelConfig } from '../types.js';
import { EMBED_STD, type FamilyFeeds, type FamilyModule } from './family-module.js';

/** Next-token feeds: tokens are the row's first T ids, targets the last T. */
class ArmFeeds implements FamilyFeeds {
  readonly codec = undefined;

  constructor(
    private readonly config: ModelConfig,
    private readonly batchSize: number,
  ) {}

  train(batch: Int32Array): Feeds {
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

  eval(batch: Int32Array): Feeds {
    return this.train(batch);
  }
}

/** The autoregressive baseline: causal attention, next-token cross-entropy, V embedding rows. */
export const arm: FamilyModule = {
  causal: true,
  validate: () => {},
  inputEmbeddingParams: (shape) => shape.vocabSize * shape.dModel,
  extraFlopsPerToken: () => 0,
  declareInputEmbedding: (ctx, config) =>
    ctx.param('embed.tokens', [config.shape.vocabSize, config.shape.dModel], {
      kind: 'normal',
      std: EMBED_STD,
    }),
  embedInputs: (ctx, _config, table, ids) => ctx.b.gather(table, ids),
  rowSums: (ctx, config, batchSize, _purpose, forward) => {
    const logits = forward(ctx.b.input(FEED.tokens, 'int32', [batchSize, config.shape.seqLen]));
    const bound = armRowSums(ctx, logits);
    return { trained: bound, rows: { bound } };
  },
  createFeeds: (config, batchSize) => new ArmFeeds(config, batchSize),
  gradcheckConfig: (shape) => ({ family: 'arm', shape, precision: 'fp32' }),
};
