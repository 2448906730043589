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

export interface BackboneOptions {
  causal: boolean;
}

/** cos and sin tables [T, headDim] for the half-split (LLaMA / NeoX) rotary layout. */
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
      for (const k of [i, i + half]) {
        cos[t * headDim + k] = Math.cos(angle);
        sin[t * headDim + k] = Math.sin(angle);
      }
    }
  }
  return { cos, sin };
}

/**
 * The LLaMA-style stack of paper-notes 7.1 on embedded inputs x [B, T, d]: pre-norm blocks of
 * multi-head attention (QK-norm per head, RoPE, no biases) and a SwiGLU MLP, then the final RMSNorm.
 * Returns the normalised hidden states [B, T, d].
 */
export function buildBackbone(
  ctx: GraphContext,
  shape: ModelShape,
  x: Tensor,
  options: BackboneOptions,
): Tensor {
  const { b } = ctx;
  const { dModel: d, nHeads: H, seqLen: T, ffnHidden: f } = shape;
  const hd = d / H;
  const B = x.shape[0]!;
  const residualStd = INIT_STD / Math.sqrt(2 * shape.nLayers);
  const { cos, sin } = ropeTables(T, hd);
  const cosT = b.floatConstant(cos, [T, hd]);
  const sinT = b.floatConstant(sin, [T, hd]);
  const scale = 1 / Math.sqrt(hd);
  let mask: Tensor | undefined;
  if (options.causal) {
    const m = new Float64Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = MASKED_SCORE;
    mask = b.floatConstant(m, [T, T]);
  }

  const rotate = (u: Tensor): Tensor => {
    const [u1, u2] = b.split(u, [hd / 2, hd / 2], -1) as [Tensor, Tensor];
    const rotated = b.concat([b.neg(u2), u1], -1);
    return b.add(b.mul(u, cosT), b.mul(rotated, sinT));
  };
  const heads = (u: Tensor): Tensor => b.transpose(b.reshape(u, [B, T, H, hd]), [0, 2, 1, 3]);

  let h = x;
  for (let layer = 0; layer < shape.nLayers; layer++) {
    const p = `layers.${layer}`;
    const attnNorm = ctx.param(`${p}.attn_norm`, [d], { kind: 'ones' });
    const wq = ctx.param(`${p}.attn.wq`, [d, d], { kind: 'normal', std: INIT_STD });
    const wk = ctx.param(`${p}.attn.wk`, [d, d], { kind: 'normal', std: INIT_STD });
    const wv = ctx.param(`${p}.attn.wv`, [d, d], { kind: 'normal', std: INIT_STD });
    const qNorm = ctx.param(`${p}.attn.q_norm`, [hd], { kind: 'ones' });
    const kNorm = ctx.param(`${p}.attn.k_norm`, [hd], { kind: 'ones' });
    const wo = ctx.param(`${p}.attn.wo`, [d, d], { kind: 'normal', std: residualStd });
    const mlpNorm = ctx.param(`${p}.mlp_norm`, [d], { kind: 'ones' });
    const wGate = ctx.param(`${p}.mlp.w_gate`, [d, f], { kind: 'normal', std: INIT_STD });
    const wUp = ctx.param(`${p}.mlp.w_up`, [d, f], { kind: 'normal', std: INIT_STD });
    const wDown = ctx.param(`${p}.mlp.w_down`, [f, d], { kind: 'normal', std: residualStd });

    const a = b.rmsNorm(h, attnNorm, NORM_EPS);
    const q = rotate(b.rmsNorm(heads(b.matmul(a, wq)), qNorm, NORM_EPS));
    const k = rotate(b.rmsNorm(heads(b.matmul(a, wk)), kNorm, NORM_EPS));
    const v = heads(b.matmul(a, wv));
    let scores = b.mul(b.matmul(q, k, { transposeB: true }), scale);
    if (mask !== undefined) scores = b.add(scores, mask);
    const attended = b.matmul(b.softmax(scores, -1), v);
    const merged = b.reshape(b.transpose(attended, [0, 2, 1, 3]), [B, T, d]);
    h = b.add(h, b.matmul(merged, wo));

    const m = b.rmsNorm(h, mlpNorm, NORM_EPS);
    h = b.add(h, b.matmul(b.swiglu(b.matmul(m, wGate), b.matmul(m, wUp)), wDown));
  }
  const finalNorm = ctx.param('final_norm', [d], { kind: 'ones' });
  return b.rmsNorm(h, finalNorm, NORM_EPS);
}

/** The untied output head: V logits per position. */
export function buildHead(ctx: GraphContext, shape: ModelShape, hidden: Tensor): Tensor {
  const head = ctx.param('head', [shape.dModel, shape.vocabSize], {
    kind: 'normal',
    std: INIT_STD,
  });
  return ctx.b.matmul(hidden, head);
}
