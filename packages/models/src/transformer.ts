import type { Tensor } from '@isoflop/graph';
import type { GraphContext } from './internal/graph-context.js';
import type { ModelShape } from './types.js';

/** RMSNorm epsilon (lit_gpt / LLaMA). */
export const NORM_EPS = 1e-5;
/** RoPE base frequency (LLaMA). */
export const ROPE_BASE = 10_000;
const INIT_STD = 0.02;
// A large finite negative, not −∞: a fully masked row would otherwise turn into NaN (paper-notes 8.2).
const MASKED_SCORE = -1e9;

interface LayerWeights {
  attnNorm: Tensor;
  wq: Tensor;
  wk: Tensor;
  wv: Tensor;
  qNorm: Tensor;
  kNorm: Tensor;
  wo: Tensor;
  mlpNorm: Tensor;
  wGate: Tensor;
  wUp: Tensor;
  wDown: Tensor;
}

/** The backbone's parameters: declared once, applied to as many inputs as a graph needs. */
export interface BackboneWeights {
  layers: LayerWeights[];
  finalNorm: Tensor;
  /** Untied output head [d, V]. */
  head: Tensor;
}

/**
 * cos and sin tables [T, headDim] for the half-split (LLaMA / NeoX) rotary layout, with the sign of the
 * rotation folded into `sin`: rope(u) = u·cos + swapHalves(u)·sin, where swapHalves(u) = [u₂, u₁].
 */
export function ropeTables(
  seqLen: number,
  headDim: number,
): { cos: Float64Array; sin: Float64Array } {
  const half = headDim / 2;
  const cos = new Float64Array(seqLen * headDim);
  const sin = new Float64Array(seqLen * headDim);
  for (let t = 0; t < seqLen; t++) {
    for (let i = 0; i < half; i++) {
      const angle = t * ROPE_BASE ** (-(2 * i) / headDim);
      cos[t * headDim + i] = Math.cos(angle);
      cos[t * headDim + i + half] = Math.cos(angle);
      sin[t * headDim + i] = -Math.sin(angle);
      sin[t * headDim + i + half] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/**
 * Declares the parameters of the LLaMA-style stack of paper-notes 7.1: per layer an attention RMSNorm,
 * Wq/Wk/Wv/Wo without biases, QK-norm gains of one head width, an MLP RMSNorm and SwiGLU (gate, up,
 * down); then the final RMSNorm and the V-way head. Projections into the residual stream start with
 * std 0.02/√(2·n_layers).
 */
export function declareBackbone(ctx: GraphContext, shape: ModelShape): BackboneWeights {
  const { dModel: d, nHeads: H, ffnHidden: f } = shape;
  const hd = d / H;
  const residualStd = INIT_STD / Math.sqrt(2 * shape.nLayers);
  const normal = (std: number) => ({ kind: 'normal', std }) as const;
  const ones = { kind: 'ones' } as const;
  const layers: LayerWeights[] = [];
  for (let layer = 0; layer < shape.nLayers; layer++) {
    const p = `layers.${layer}`;
    layers.push({
      attnNorm: ctx.param(`${p}.attn_norm`, [d], ones),
      wq: ctx.param(`${p}.attn.wq`, [d, d], normal(INIT_STD)),
      wk: ctx.param(`${p}.attn.wk`, [d, d], normal(INIT_STD)),
      wv: ctx.param(`${p}.attn.wv`, [d, d], normal(INIT_STD)),
      qNorm: ctx.param(`${p}.attn.q_norm`, [hd], ones),
      kNorm: ctx.param(`${p}.attn.k_norm`, [hd], ones),
      wo: ctx.param(`${p}.attn.wo`, [d, d], normal(residualStd)),
      mlpNorm: ctx.param(`${p}.mlp_norm`, [d], ones),
      wGate: ctx.param(`${p}.mlp.w_gate`, [d, f], normal(INIT_STD)),
      wUp: ctx.param(`${p}.mlp.w_up`, [d, f], normal(INIT_STD)),
      wDown: ctx.param(`${p}.mlp.w_down`, [f, d], normal(residualStd)),
    });
  }
  return {
    layers,
    finalNorm: ctx.param('final_norm', [d], ones),
    head: ctx.param('head', [d, shape.vocabSize], normal(INIT_STD)),
  };
}

/**
 * Embedded inputs x [B, T, d] → logits [B, T, V]: pre-norm blocks of multi-head attention (QK-norm per
 * head, RoPE, causal or bidirectional) and a SwiGLU MLP, the final RMSNorm, then the head.
 */
export function applyBackbone(
  ctx: GraphContext,
  shape: ModelShape,
  w: BackboneWeights,
  x: Tensor,
  options: { causal: boolean; halfMatmuls?: boolean },
): Tensor {
  // Mixed precision: every product (projections, attention, head) reads and writes float16, while
  // norms, softmax, residual stream, loss and the float32 master weights stay in float32.
  const mm = (a: Tensor, c: Tensor, transposeB = false): Tensor =>
    options.halfMatmuls
      ? b.cast(b.matmul(b.cast(a, 'float16'), b.cast(c, 'float16'), { transposeB }), a.dtype)
      : b.matmul(a, c, { transposeB });
  const { b } = ctx;
  const { dModel: d, nHeads: H, seqLen: T } = shape;
  const hd = d / H;
  const B = x.shape[0]!;
  const { cos, sin } = ropeTables(T, hd);
  // The attention scale 1/√hd is folded into the query's rotary tables: no pass over the scores.
  const scale = 1 / Math.sqrt(hd);
  const queryTables = {
    cos: ctx.floatConstant(
      cos.map((c) => c * scale),
      [T, hd],
    ),
    sin: ctx.floatConstant(
      sin.map((c) => c * scale),
      [T, hd],
    ),
  };
  const keyTables = { cos: ctx.floatConstant(cos, [T, hd]), sin: ctx.floatConstant(sin, [T, hd]) };
  let mask: Tensor | undefined;
  if (options.causal) {
    const m = new Float64Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = MASKED_SCORE;
    mask = ctx.floatConstant(m, [T, T]);
  }
  // swapHalves(u) = [u₂, u₁] as one reversal of the [2, hd/2] view (no Split, Neg and Concat).
  const rotate = (u: Tensor, tables: { cos: Tensor; sin: Tensor }): Tensor => {
    const halves = [...u.shape.slice(0, -1), 2, hd / 2];
    const swapped = b.reshape(b.reverse(b.reshape(u, halves), -2), u.shape);
    return b.add(b.mul(u, tables.cos), b.mul(swapped, tables.sin));
  };
  const heads = (u: Tensor): Tensor => b.transpose(b.reshape(u, [B, T, H, hd]), [0, 2, 1, 3]);

  let h = x;
  for (const l of w.layers) {
    const a = b.rmsNorm(h, l.attnNorm, NORM_EPS);
    const q = rotate(b.rmsNorm(heads(mm(a, l.wq)), l.qNorm, NORM_EPS), queryTables);
    const k = rotate(b.rmsNorm(heads(mm(a, l.wk)), l.kNorm, NORM_EPS), keyTables);
    const v = heads(mm(a, l.wv));
    let scores = mm(q, k, true);
    if (mask !== undefined) scores = b.add(scores, mask);
    const attended = mm(b.softmax(scores, -1), v);
    const merged = b.reshape(b.transpose(attended, [0, 2, 1, 3]), [B, T, d]);
    h = b.add(h, mm(merged, l.wo));

    const m = b.rmsNorm(h, l.mlpNorm, NORM_EPS);
    h = b.add(h, mm(b.swiglu(mm(m, l.wGate), mm(m, l.wUp)), l.wDown));
  }
  return mm(b.rmsNorm(h, w.finalNorm, NORM_EPS), w.head);
}
