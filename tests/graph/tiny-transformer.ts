import type { GraphBuilder, Tensor } from '@isoflop/graph';

export interface TinyShape {
  readonly batch: number;
  readonly seqLen: number;
  readonly dModel: number;
  readonly heads: number;
  readonly ffn: number;
  readonly vocab: number;
}

/**
 * One pre-norm causal transformer block with tied embeddings and a weighted CE loss: enough of
 * every composite (gather, rmsNorm, attention softmax, swiglu, crossEntropy) to test them together.
 */
export function buildTinyTransformer(
  b: GraphBuilder,
  s: TinyShape,
): { loss: Tensor; params: Tensor[] } {
  const { batch: B, seqLen: T, dModel: D, heads: H, ffn: F, vocab: V } = s;
  const dh = D / H;
  const ids = b.input('ids', 'int32', [B, T]);
  const targets = b.input('targets', 'int32', [B, T]);
  const weights = b.input('weights', 'float', [B, T]);
  const emb = b.param('emb', [V, D]);
  const norm1 = b.param('norm1', [D]);
  const wq = b.param('wq', [D, D]);
  const wk = b.param('wk', [D, D]);
  const wv = b.param('wv', [D, D]);
  const wo = b.param('wo', [D, D]);
  const norm2 = b.param('norm2', [D]);
  const w1 = b.param('w1', [F, D]);
  const w3 = b.param('w3', [F, D]);
  const w2 = b.param('w2', [D, F]);
  const normF = b.param('normF', [D]);

  const causal = new Float64Array(T * T).map((_, i) => (i % T > Math.floor(i / T) ? -1e6 : 0));
  const mask = b.floatConstant(causal, [T, T]);
  const heads = (x: Tensor): Tensor => b.transpose(b.reshape(x, [B, T, H, dh]), [0, 2, 1, 3]);

  const x0 = b.gather(emb, ids);
  const h1 = b.rmsNorm(x0, norm1, 1e-5);
  const q = heads(b.matmul(h1, wq, { transposeB: true }));
  const k = heads(b.matmul(h1, wk, { transposeB: true }));
  const v = heads(b.matmul(h1, wv, { transposeB: true }));
  const scores = b.add(b.mul(b.matmul(q, k, { transposeB: true }), 1 / Math.sqrt(dh)), mask);
  const attn = b.matmul(b.softmax(scores, -1), v);
  const merged = b.reshape(b.transpose(attn, [0, 2, 1, 3]), [B, T, D]);
  const x1 = b.add(x0, b.matmul(merged, wo, { transposeB: true }));
  const h2 = b.rmsNorm(x1, norm2, 1e-5);
  const mlp = b.swiglu(
    b.matmul(h2, w1, { transposeB: true }),
    b.matmul(h2, w3, { transposeB: true }),
  );
  const x2 = b.add(x1, b.matmul(mlp, w2, { transposeB: true }));
  const logits = b.matmul(b.rmsNorm(x2, normF, 1e-5), emb, { transposeB: true });
  const loss = b.div(b.reduceSum(b.crossEntropy(logits, targets, weights)), B * T);
  return { loss, params: [emb, norm1, wq, wk, wv, wo, norm2, w1, w3, w2, normF] };
}
