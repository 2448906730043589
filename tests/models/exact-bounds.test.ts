import { describe, expect, it } from 'vitest';
import {
  FEED,
  GRAPH_OUTPUTS,
  Rng,
  buildEvalGraph,
  primeCodecFor,
  type Feeds,
  type ModelConfig,
  type ModelParam,
} from '@isoflop/models';
import { openSession, paramFeeds } from './ort-session.js';

// Brute force on a tiny vocabulary and length: every conditional p(unit | visible set) of the model is
// read from the real eval graph (one batch row per query, weight 1 on the queried unit), then
//   K(x)   = Σ_S Σ_{u∉S} B(n−|S|, |S|+1) · −log p(x_u | x_S)          (the NELBO, exactly integrated)
//   p_AO(x) = E_σ Π_k p(x_σk | x_σ<k)                                   (the any-order sampler's likelihood)
// and K(x) ≥ −log p_AO(x) by Jensen. p_AO sums to one over all sequences, which checks the conditionals.

function logBeta(a: number, b: number): number {
  const lf = (n: number) =>
    Array.from({ length: n }, (_, i) => Math.log(i + 1)).reduce((s, v) => s + v, 0);
  return lf(a - 1) + lf(b - 1) - lf(a + b - 1);
}

function randomParams(params: readonly ModelParam[], seed: number): Map<string, Float64Array> {
  const rng = new Rng(seed);
  const out = new Map<string, Float64Array>();
  for (const p of params) {
    const v = new Float64Array(p.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < v.length; i++)
      v[i] = (p.init.kind === 'ones' ? 1 : 0) + 0.7 * rng.nextNormal();
    out.set(p.name, v);
  }
  return out;
}

function popcount(s: number): number {
  let c = 0;
  for (; s; s &= s - 1) c++;
  return c;
}

interface Enumeration {
  /** cond[x][S * n + u] = −log p(unit u of x | units S of x visible). */
  cond: Float64Array[];
  /** K(x) from one graph row per (x, S) with host weights B(n−|S|, |S|+1) on every masked unit. */
  kDirect: Float64Array;
  n: number;
}

function exactFromConditionals({ cond, n }: Enumeration): { k: number[]; nll: number[] } {
  const full = (1 << n) - 1;
  const k: number[] = [];
  const nll: number[] = [];
  for (const c of cond) {
    let bound = 0;
    const g = new Float64Array(1 << n);
    g[0] = 1;
    for (let s = 0; s <= full; s++) {
      for (let u = 0; u < n; u++) {
        if (s & (1 << u)) continue;
        bound += Math.exp(logBeta(n - popcount(s), popcount(s) + 1)) * c[s * n + u]!;
      }
      if (s === 0) continue;
      let acc = 0;
      for (let u = 0; u < n; u++)
        if (s & (1 << u)) acc += g[s & ~(1 << u)]! * Math.exp(-c[(s & ~(1 << u)) * n + u]!);
      g[s] = acc / popcount(s);
    }
    k.push(bound);
    nll.push(-Math.log(g[full]!));
  }
  return { k, nll };
}

/** All sequences of length T over V ids, row-major. */
function allSequences(V: number, T: number): Int32Array[] {
  return Array.from({ length: V ** T }, (_, code) =>
    Int32Array.from({ length: T }, (_, i) => Math.floor(code / V ** (T - 1 - i)) % V),
  );
}

async function runRows(
  config: ModelConfig,
  rows: number,
  fill: (feeds: Feeds) => void,
): Promise<Float64Array> {
  const graph = buildEvalGraph(config, rows, { floatType: 'float64' });
  const session = await openSession(graph.onnx);
  const feeds: Feeds = { ...paramFeeds(randomParams(graph.params, 5), graph.params, 'float64') };
  fill(feeds);
  const out = await session.run(feeds, [GRAPH_OUTPUTS.boundRowSums]);
  await session.release();
  return out[GRAPH_OUTPUTS.boundRowSums]!;
}

/**
 * The Monte Carlo estimators that training (t-drawn masks, weight 1/t) and evaluation (m masked units,
 * weight n/m) feed are unbiased for the exact K of each row's sequence: their mean error over many
 * rows is within 4 standard errors of zero.
 */
async function assertEstimatorsUnbiased(
  config: ModelConfig,
  xs: readonly Int32Array[],
  exactK: readonly number[],
): Promise<void> {
  const rows = 2048;
  const T = config.shape.seqLen;
  const rng = new Rng(12);
  const which = Int32Array.from({ length: rows }, () => rng.nextInt(xs.length));
  const batch = new Int32Array(rows * (T + 1));
  which.forEach((x, r) => batch.set(xs[x]!, r * (T + 1)));
  const graph = buildEvalGraph(config, rows, { floatType: 'float64' });
  const session = await openSession(graph.onnx);
  const params = paramFeeds(randomParams(graph.params, 5), graph.params, 'float64');
  for (const scheme of ['train', 'eval'] as const) {
    const errors: number[] = [];
    for (let repeat = 0; repeat < 3; repeat++) {
      const evalFeeds = graph.feeds.eval(batch, [21, repeat]);
      const feeds =
        scheme === 'eval' ? evalFeeds : { ...evalFeeds, ...graph.feeds.train(batch, [21, repeat]) };
      const out = (await session.run({ ...params, ...feeds }, [GRAPH_OUTPUTS.boundRowSums]))[
        GRAPH_OUTPUTS.boundRowSums
      ]!;
      which.forEach((x, r) => errors.push(out[r]! - exactK[x]!));
    }
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const se = Math.sqrt(
      errors.reduce((a, b) => a + (b - mean) ** 2, 0) / (errors.length - 1) / errors.length,
    );
    const meanK = exactK.reduce((a, b) => a + b, 0) / exactK.length;
    expect(se).toBeLessThan(0.05 * meanK);
    expect(Math.abs(mean)).toBeLessThan(4 * se);
  }
  await session.release();
}

function assertBounds(e: Enumeration, sequences: number): number[] {
  const { k, nll } = exactFromConditionals(e);
  const total = nll.reduce((s, v) => s + Math.exp(-v), 0);
  expect(Math.abs(total - 1)).toBeLessThan(1e-9);
  let worstSlack = Infinity;
  let meanGap = 0;
  for (let x = 0; x < sequences; x++) {
    // The direct host-weighted graph rows integrate the same NELBO as the conditionals.
    expect(Math.abs(e.kDirect[x]! - k[x]!)).toBeLessThan(1e-9 * Math.max(1, k[x]!));
    worstSlack = Math.min(worstSlack, k[x]! - nll[x]!);
    meanGap += (k[x]! - nll[x]!) / sequences;
  }
  expect(worstSlack).toBeGreaterThanOrEqual(0);
  // A random (inconsistent) model: the bound is strictly loose on average, so the check has teeth.
  expect(meanGap).toBeGreaterThan(1e-3);
  return k;
}

describe('NELBO bounds versus the exact NLL of a tiny model (enumeration)', () => {
  it('MDM (V = 4, T = 3): K(x) ≥ −log p(x) for every sequence', async () => {
    const V = 4;
    const T = 3;
    const config: ModelConfig = {
      family: 'mdm',
      shape: { dModel: 16, nLayers: 2, nHeads: 2, ffnHidden: 16, vocabSize: V, seqLen: T },
      precision: 'fp32',
      mdm: { eps: 1e-3 },
    };
    const xs = allSequences(V, T);
    const n = T;
    const queries: { x: number; s: number; u: number }[] = [];
    for (let x = 0; x < xs.length; x++)
      for (let s = 0; s < 1 << n; s++)
        for (let u = 0; u < n; u++) if (!(s & (1 << u))) queries.push({ x, s, u });
    const subsets = xs.length * ((1 << n) - 1);
    const rows = queries.length + subsets;
    const values = await runRows(config, rows, (feeds) => {
      const tokens = new Int32Array(rows * T);
      const targets = new Int32Array(rows * T);
      const weights = new Float64Array(rows * T);
      const put = (r: number, x: number, s: number) => {
        for (let i = 0; i < T; i++) {
          targets[r * T + i] = xs[x]![i]!;
          tokens[r * T + i] = s & (1 << i) ? xs[x]![i]! : V;
        }
      };
      queries.forEach(({ x, s, u }, r) => {
        put(r, x, s);
        weights[r * T + u] = 1;
      });
      let r = queries.length;
      for (let x = 0; x < xs.length; x++) {
        for (let s = 0; s < (1 << n) - 1; s++, r++) {
          put(r, x, s);
          const w = Math.exp(logBeta(n - popcount(s), popcount(s) + 1));
          for (let i = 0; i < T; i++) if (!(s & (1 << i))) weights[r * T + i] = w;
        }
      }
      feeds[FEED.tokens] = { type: 'int32', data: tokens, dims: [rows, T] };
      feeds[FEED.targets] = { type: 'int32', data: targets, dims: [rows, T] };
      feeds[FEED.tokenWeights] = { type: 'float64', data: weights, dims: [rows, T] };
    });
    const cond = xs.map(() => new Float64Array((1 << n) * n));
    queries.forEach(({ x, s, u }, r) => (cond[x]![s * n + u] = values[r]!));
    const kDirect = new Float64Array(xs.length);
    for (let x = 0, r = queries.length; x < xs.length; x++)
      for (let s = 0; s < (1 << n) - 1; s++, r++) kDirect[x]! += values[r]!;
    const exactK = assertBounds({ cond, kDirect, n }, xs.length);
    await assertEstimatorsUnbiased(config, xs, exactK);
  });

  it.each(['cat-share', 'sum'] as const)(
    'MDM-Prime K (V = 6, b = 2, l = 3 shuffled, T = 2, %s): K(x) ≥ −log p(x) for every sequence',
    async (embedding) => {
      const V = 6;
      const T = 2;
      const l = 3;
      const base = 2;
      const prime = {
        base,
        length: l,
        shuffle: true,
        shuffleSeed: 4,
        embedding,
        objective: 'nelbo' as const,
      };
      const config: ModelConfig = {
        family: 'mdm-prime-v2',
        shape: { dModel: 12, nLayers: 2, nHeads: 2, ffnHidden: 16, vocabSize: V, seqLen: T },
        precision: 'fp32',
        prime,
      };
      const codec = primeCodecFor(V, prime);
      const xs = allSequences(V, T);
      const n = T * l;
      const queries: { x: number; s: number; u: number }[] = [];
      for (let x = 0; x < xs.length; x++)
        for (let s = 0; s < 1 << n; s++)
          for (let u = 0; u < n; u++) if (!(s & (1 << u))) queries.push({ x, s, u });
      const subsets = xs.length * ((1 << n) - 1);
      const rows = queries.length + subsets;
      const width = l * base;
      const values = await runRows(config, rows, (feeds) => {
        const digits = new Int32Array(rows * n);
        const visible = new Float64Array(rows * T * width);
        const count = new Float64Array(rows * T);
        const weights = new Float64Array(rows * T * width);
        const clean = (x: number, u: number) =>
          codec.digits[xs[x]![Math.floor(u / l)]! * l + (u % l)]!;
        const put = (r: number, x: number, s: number) => {
          for (let u = 0; u < n; u++) {
            const d = clean(x, u);
            if (s & (1 << u)) {
              digits[r * n + u] = d;
              visible[r * T * width + u * base + d] = 1;
              count[r * T + Math.floor(u / l)]! += 1;
            } else {
              digits[r * n + u] = base;
            }
          }
        };
        queries.forEach(({ x, s, u }, r) => {
          put(r, x, s);
          weights[r * T * width + u * base + clean(x, u)] = 1;
        });
        let r = queries.length;
        for (let x = 0; x < xs.length; x++) {
          for (let s = 0; s < (1 << n) - 1; s++, r++) {
            put(r, x, s);
            const w = Math.exp(logBeta(n - popcount(s), popcount(s) + 1));
            for (let u = 0; u < n; u++)
              if (!(s & (1 << u))) weights[r * T * width + u * base + clean(x, u)] = w;
          }
        }
        feeds[FEED.digits] = { type: 'int32', data: digits, dims: [rows, T, l] };
        feeds[FEED.visibleOneHot] = { type: 'float64', data: visible, dims: [rows, T, width] };
        feeds[FEED.visibleCount] = { type: 'float64', data: count, dims: [rows, T, 1] };
        feeds[FEED.digitTargetWeights] = { type: 'float64', data: weights, dims: [rows, T, width] };
        // The eval graph also computes J (a second forward pass); its inputs do not affect K.
        feeds[FEED.targets] = { type: 'int32', data: new Int32Array(rows * T), dims: [rows, T] };
        feeds[FEED.objectiveDigits] = { type: 'int32', data: digits, dims: [rows, T, l] };
        feeds[FEED.tokenWeights] = {
          type: 'float64',
          data: new Float64Array(rows * T),
          dims: [rows, T],
        };
      });
      const cond = xs.map(() => new Float64Array((1 << n) * n));
      queries.forEach(({ x, s, u }, r) => (cond[x]![s * n + u] = values[r]!));
      const kDirect = new Float64Array(xs.length);
      for (let x = 0, r = queries.length; x < xs.length; x++)
        for (let s = 0; s < (1 << n) - 1; s++, r++) kDirect[x]! += values[r]!;
      const exactK = assertBounds({ cond, kDirect, n }, xs.length);
      await assertEstimatorsUnbiased(config, xs, exactK);
    },
  );
});
