import type { Tensor } from '@isoflop/graph';
import type { GraphContext } from './internal/graph-context.js';
import type { ModelConfig } from './types.js';
import { requirePrime } from './validate-config.js';

const EMBED_STD = 0.02;

/**
 * Declares the input embedding table of the family. ARM: V rows; MDM: V + 1 rows (the mask id V);
 * Prime `cat-share`: one (b+1) × d/l table; Prime `sum`: one (b+1) × d table per digit position,
 * stored stacked as l·(b+1) rows.
 */
export function declareInputEmbedding(ctx: GraphContext, config: ModelConfig): Tensor {
  const { dModel: d, vocabSize: V } = config.shape;
  if (config.family !== 'mdm-prime-v2') {
    const rows = config.family === 'mdm' ? V + 1 : V;
    return ctx.param('embed.tokens', [rows, d], { kind: 'normal', std: EMBED_STD });
  }
  const prime = requirePrime(config);
  const symbols = prime.base + 1;
  return prime.embedding === 'cat-share'
    ? ctx.param('embed.digits', [symbols, d / prime.length], { kind: 'normal', std: EMBED_STD })
    : ctx.param('embed.digits', [prime.length * symbols, d], { kind: 'normal', std: EMBED_STD });
}

/**
 * Embeds token ids [B, T] (ARM, MDM) or digit ids [B, T, l] (Prime) to [B, T, d]. Prime `cat-share`
 * concatenates the l digit vectors of a token; `sum` adds the vectors of the per-position tables.
 */
export function embedInputs(
  ctx: GraphContext,
  config: ModelConfig,
  table: Tensor,
  ids: Tensor,
): Tensor {
  const { b } = ctx;
  if (config.family !== 'mdm-prime-v2') return b.gather(table, ids);
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
}
