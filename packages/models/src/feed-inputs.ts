// The per-batch graph inputs: their names and host tensor types, shared by the graphs that declare
// them and the family modules that fill them.

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
