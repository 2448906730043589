import type { Tensor } from '@isoflop/graph';
import type { FloatType, Feeds } from '../feed-inputs.js';
import type { GraphContext } from '../internal/graph-context.js';
import type { PrimeCodec } from '../prime-codec.js';
import type { Rng } from '../rng.js';
import type {
  Family,
  ModelConfig,
  ModelShape,
  PrimeEmbedding,
  PrimeObjective,
  PrimeOptions,
} from '../types.js';

/** Init std of every input embedding table. */
export const EMBED_STD = 0.02;

/** Which objectives a graph computes, per row of the batch. */
export interface RowSums {
  /** The valid bound (ARM: NLL; MDM: NELBO; Prime: K), Σ over the row's T tokens. */
  bound?: Tensor;
  /** Prime's published objective J (not a bound), Σ over the row's T tokens. */
  objective?: Tensor;
}

export interface FamilyRowSums {
  /** Per-row sums [B] of the objective the family trains on. */
  trained: Tensor;
  rows: RowSums;
}

/** The shared backbone and head applied to embedded ids: [B, T] or [B, T, l] ids → [B, T, V] logits. */
export type Forward = (ids: Tensor) => Tensor;

/** The embedding facts `countParams` needs; an absent family is the ARM's layout. */
export interface EmbeddingLayout {
  family?: Family;
  prime?: Pick<PrimeOptions, 'base' | 'length' | 'embedding'>;
}

/** Host-side feeds of one family for one batch size and float type (see FeedBuilder). */
export interface FamilyFeeds {
  /** Prime's code table; undefined for families without sub-tokens. */
  readonly codec: PrimeCodec | undefined;
  /** `batch` is checked already: [B, T + 1] token ids within the vocabulary. */
  train(batch: Int32Array, rng: Rng): Feeds;
  eval(batch: Int32Array, rng: Rng): Feeds;
}

/**
 * Everything that differs between model families; the backbone, head and optimizer are shared. A new
 * family is one module implementing this and one row in FAMILY_MODULES.
 */
export interface FamilyModule {
  /** Attention mask of the backbone: causal for autoregressive families. */
  readonly causal: boolean;
  /** Checks the family's own options; the shape and precision are checked for every family. */
  validate(config: ModelConfig): void;
  /** Weights of the input embedding table(s); the V-way output head is shared. */
  inputEmbeddingParams(shape: ModelShape, layout: EmbeddingLayout): number;
  /** Training FLOPs per token beyond the backbone, the head and attention (see flopsPerStep). */
  extraFlopsPerToken(config: ModelConfig): number;
  /** Declares the input embedding parameter(s) of the family. */
  declareInputEmbedding(ctx: GraphContext, config: ModelConfig): Tensor;
  /** Embeds the family's graph ids to [B, T, d]. */
  embedInputs(ctx: GraphContext, config: ModelConfig, table: Tensor, ids: Tensor): Tensor;
  /**
   * Declares the batch inputs and builds the per-row sums: `'train'` only the trained objective,
   * `'eval'` the bound (and any other objective the family reports).
   */
  rowSums(
    ctx: GraphContext,
    config: ModelConfig,
    batchSize: number,
    purpose: 'train' | 'eval',
    forward: Forward,
  ): FamilyRowSums;
  createFeeds(config: ModelConfig, batchSize: number, floatType: FloatType): FamilyFeeds;
  /** The family's options for the tiny gradient-check configuration of `shape`. */
  gradcheckConfig(
    shape: ModelShape,
    prime: { embedding?: PrimeEmbedding; objective?: PrimeObjective },
  ): ModelConfig;
}
