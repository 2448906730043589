import type { Tensor } from '@isoflop/graph';
import { FEED } from './feeds.js';
import type { GraphContext } from './internal/graph-context.js';
import type { ModelConfig } from './types.js';
import { requirePrime } from './validate-config.js';

const EMBED_STD = 0.02;

/**
 * Declares the batch input of the family and embeds it to [B, T, d]. ARM: V rows; MDM: V + 1 rows (the
 * mask id V); Prime `cat-share`: one (b+1) × d/l table whose l digit vectors are concatenated; Prime
 * `sum`: one (b+1) × d table per digit position (stored stacked, l·(b+1) rows), summed.
 */
export function buildInputEmbedding(
  ctx: GraphContext,
  config: ModelConfig,
  batchSize: number,
): Tensor {
  const { b } = ctx;
  const { dModel: d, seqLen: T, vocabSize: V } = config.shape;
  if (config.family !== 'mdm-prime-v2') {
    const rows = config.family === 'mdm' ? V + 1 : V;
    const table = ctx.param('embed.tokens', [rows, d], { kind: 'normal', std: EMBED_STD });
    return b.gather(table, b.input(FEED.tokens, 'int32', [batchSize, T]));
  }
  const prime = requirePrime(config);
  const l = prime.length;
  const symbols = prime.base + 1;
  const digits = b.input(FEED.digits, 'int32', [batchSize, T, l]);
  if (prime.embedding === 'cat-share') {
    const table = ctx.param('embed.digits', [symbols, d / l], { kind: 'normal', std: EMBED_STD });
    return b.reshape(b.gather(table, digits), [batchSize, T, d]);
  }
  const table = ctx.param('embed.digits', [l * symbols, d], { kind: 'normal', std: EMBED_STD });
  // Row of digit j with symbol s is j·(b+1) + s; integer adds go through float (exact for these sizes).
  const offsets = b.floatConstant(
    Array.from({ length: l }, (_, j) => j * symbols),
    [l],
  );
  const rows = b.cast(b.add(b.cast(digits, b.dtype), offsets), 'int32');
  return b.reduceSum(b.gather(table, rows), [2]);
}
