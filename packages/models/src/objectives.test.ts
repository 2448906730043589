import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '@isoflop/graph';
import { describe, expect, it } from 'vitest';
import { maskPatternWeight } from './internal/beta.js';
import { GraphContext } from './internal/graph-context.js';
import { FEED } from './feed-inputs.js';
import { primeNelboRowSums } from './objectives.js';
import { PrimeCodec } from './prime-codec.js';
import { unigramObjectives } from './unigram-objectives.js';

// The graph's K head on the optimal context-free model (fixed logits = log q), summed exactly over every
// visible digit set S with weight B(l−|S|, |S|+1) and over tokens with weight q(x), equals H(q): K* = H.
describe('Prime K head (ORT, float64)', () => {
  it.each([
    { shuffle: false, label: 'identity codes' },
    { shuffle: true, label: 'shuffled codes' },
  ])(
    'K* of the optimal unigram model is the entropy ($label, V = 50, b = 2, l = 6)',
    async ({ shuffle }) => {
      const V = 50;
      const l = 6;
      const base = 2;
      const codec = PrimeCodec.create({ vocabSize: V, base, length: l, shuffle, shuffleSeed: 8 });
      const q = Float64Array.from({ length: V }, (_, x) => 1 / (x + 1) ** 1.1);
      const z = q.reduce((a, b) => a + b, 0);
      q.forEach((v, x) => (q[x] = v / z));
      const subsets = (1 << l) - 1;
      const rows = V * subsets;
      const width = l * base;

      const ctx = new GraphContext(new GraphBuilder({ dtype: 'float64' }));
      const logits = ctx.b.input('logits', 'float', [rows, 1, V]);
      ctx.b.output('k', primeNelboRowSums(ctx, logits, codec));
      const session = await ort.InferenceSession.create(ctx.b.toOnnxBytes(), {
        graphOptimizationLevel: 'basic',
      });

      const logitValues = new Float64Array(rows * V);
      const visible = new Float64Array(rows * width);
      const count = new Float64Array(rows);
      const weights = new Float64Array(rows * width);
      for (let x = 0, r = 0; x < V; x++) {
        for (let s = 0; s < subsets; s++, r++) {
          for (let v = 0; v < V; v++) logitValues[r * V + v] = Math.log(q[v]!);
          let shown = 0;
          for (let j = 0; j < l; j++) if (s & (1 << j)) shown++;
          const w = q[x]! * maskPatternWeight(l - shown, l);
          for (let j = 0; j < l; j++) {
            const d = codec.digits[x * l + j]!;
            if (s & (1 << j)) visible[r * width + j * base + d] = 1;
            else weights[r * width + j * base + d] = w;
          }
          count[r] = shown;
        }
      }
      const out = await session.run({
        logits: new ort.Tensor('float64', logitValues, [rows, 1, V]),
        [FEED.visibleOneHot]: new ort.Tensor('float64', visible, [rows, 1, width]),
        [FEED.visibleCount]: new ort.Tensor('float64', count, [rows, 1, 1]),
        [FEED.digitTargetWeights]: new ort.Tensor('float64', weights, [rows, 1, width]),
      });
      await session.release();
      const k = (out.k!.data as Float64Array).reduce((a, b) => a + b, 0);
      const reference = unigramObjectives(q, codec);
      expect(Math.abs(k - reference.entropy)).toBeLessThan(1e-9);
      expect(Math.abs(reference.nelbo - reference.entropy)).toBeLessThan(1e-9);
      // The J* of the same optimum is strictly below the entropy: why J is no bound.
      expect(reference.published).toBeLessThan(reference.entropy - 0.05);
    },
  );
});
