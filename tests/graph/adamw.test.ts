import { describe, expect, it } from 'vitest';
import {
  ADAMW_NAMES,
  addAdamW,
  GraphBuilder,
  GraphError,
  type AdamWConfig,
  type FloatDType,
} from '@isoflop/graph';
import { loadGraph, type Feed } from './ort-harness.js';
import { Rng } from './random.js';

const config: AdamWConfig = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
const specs = [
  { name: 'w', shape: [3, 4], decay: true },
  { name: 'gain', shape: [4], decay: false },
];

/** The graph's gradients are fed directly (loss = Σ p·G), so the reference sees the same G. */
function buildStep(dtype: FloatDType, cfg: AdamWConfig) {
  const b = new GraphBuilder({ dtype });
  const params = specs.map((s) => b.param(s.name, s.shape, { decay: s.decay }));
  const gInputs = specs.map((s) => b.input(`G.${s.name}`, 'float', s.shape));
  const loss = b.addN(params.map((p, i) => b.reduceSum(b.mul(p, gInputs[i]!))));
  const grads = b.backward(loss, params);
  addAdamW(b, b.params, grads, cfg);
  return b;
}

/** torch.optim.AdamW after torch.nn.utils.clip_grad_norm_, in plain float64 TypeScript. */
function referenceStep(
  p: Float64Array[],
  m: Float64Array[],
  v: Float64Array[],
  g: Float64Array[],
  step: number,
  lr: number,
  cfg: AdamWConfig,
): number {
  const norm = Math.sqrt(g.reduce((s, gi) => s + gi.reduce((a, x) => a + x * x, 0), 0));
  const clip = cfg.gradClip ?? 0;
  const scale = clip > 0 ? Math.min(1, clip / (norm + 1e-6)) : 1;
  const bc1 = 1 - cfg.beta1 ** step;
  const bc2 = 1 - cfg.beta2 ** step;
  p.forEach((pi, k) => {
    for (let i = 0; i < pi.length; i++) {
      const gi = g[k]![i]! * scale;
      if (specs[k]!.decay) pi[i]! *= 1 - lr * cfg.weightDecay;
      m[k]![i] = cfg.beta1 * m[k]![i]! + (1 - cfg.beta1) * gi;
      v[k]![i] = cfg.beta2 * v[k]![i]! + (1 - cfg.beta2) * gi * gi;
      const denom = Math.sqrt(v[k]![i]!) / Math.sqrt(bc2) + cfg.eps;
      pi[i]! -= (lr / bc1) * (m[k]![i]! / denom);
    }
  });
  return norm;
}

async function compare(dtype: FloatDType, cfg: AdamWConfig, gradScale: number): Promise<number> {
  const r = new Rng(42);
  const session = await loadGraph(buildStep(dtype, cfg).toOnnxBytes());
  const sizes = specs.map((s) => s.shape.reduce((a, d) => a * d, 1));
  const refP = sizes.map((n) => r.uniform(n));
  const refM = sizes.map((n) => new Float64Array(n));
  const refV = sizes.map((n) => new Float64Array(n));
  const cast = (x: Float64Array): Feed => (dtype === 'float64' ? x.slice() : Float32Array.from(x));
  let state = { p: refP.map(cast), m: refM.map(cast), v: refV.map(cast) };
  let worst = 0;
  for (let step = 1; step <= 5; step++) {
    const lr = 0.01 * step;
    const g = sizes.map((n) => r.uniform(n, -gradScale, gradScale));
    const out = await session.run({
      [ADAMW_NAMES.lr]: { data: cast(Float64Array.of(lr)), shape: [] },
      [ADAMW_NAMES.step]: { data: cast(Float64Array.of(step)), shape: [] },
      ...Object.fromEntries(
        specs.flatMap((s, k) => [
          [ADAMW_NAMES.param(s.name), { data: state.p[k]!, shape: s.shape }],
          [ADAMW_NAMES.m(s.name), { data: state.m[k]!, shape: s.shape }],
          [ADAMW_NAMES.v(s.name), { data: state.v[k]!, shape: s.shape }],
          [`G.${s.name}`, { data: cast(g[k]!), shape: s.shape }],
        ]),
      ),
    });
    const norm = referenceStep(refP, refM, refV, g, step, lr, cfg);
    worst = Math.max(worst, Math.abs(Number(out[ADAMW_NAMES.gradNorm]![0]) - norm) / norm);
    state = {
      p: specs.map((s) => out[ADAMW_NAMES.paramNext(s.name)]!),
      m: specs.map((s) => out[ADAMW_NAMES.mNext(s.name)]!),
      v: specs.map((s) => out[ADAMW_NAMES.vNext(s.name)]!),
    };
    specs.forEach((_, k) => {
      for (const [got, want] of [
        [state.p[k]!, refP[k]!],
        [state.m[k]!, refM[k]!],
        [state.v[k]!, refV[k]!],
      ] as const) {
        for (let i = 0; i < want.length; i++) {
          worst = Math.max(
            worst,
            Math.abs(Number(got[i]) - want[i]!) / Math.max(Math.abs(want[i]!), 1e-3),
          );
        }
      }
    });
  }
  await session.release();
  return worst;
}

describe('AdamW graph vs a plain-TypeScript torch.optim.AdamW reference', () => {
  it('matches over 5 steps in float64 with clipping active and decay only where declared', async () => {
    expect(await compare('float64', config, 3)).toBeLessThan(1e-12);
  });

  it('matches in float64 without clipping (small gradients)', async () => {
    expect(await compare('float64', { ...config, gradClip: 0 }, 0.01)).toBeLessThan(1e-12);
  });

  it('matches in float32 to float32 precision', async () => {
    expect(await compare('float32', config, 3)).toBeLessThan(1e-5);
  });

  it('rejects bad config naming the field', () => {
    const b = new GraphBuilder();
    const p = b.param('w', [2, 2]);
    const [g] = b.backward(b.reduceSum(b.mul(p, p)), [p]);
    expect(() => addAdamW(b, b.params, [g!], { ...config, beta2: 1 })).toThrow(/config\.beta2/);
    expect(() => addAdamW(b, b.params, [], config)).toThrow(GraphError);
  });
});
