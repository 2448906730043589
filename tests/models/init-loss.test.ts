import { describe, expect, it } from 'vitest';
import {
  FEED,
  GRAPH_OUTPUTS,
  Rng,
  buildEvalGraph,
  initParams,
  type ModelConfig,
} from '@isoflop/models';
import { openSession, paramFeeds } from './ort-session.js';

const V = 64;
const shape = { dModel: 32, nLayers: 2, nHeads: 2, ffnHidden: 64, vocabSize: V, seqLen: 32 };
const prime = (embedding: 'cat-share' | 'sum'): ModelConfig => ({
  family: 'mdm-prime-v2',
  shape,
  precision: 'fp32',
  prime: { base: 2, length: 8, shuffle: true, shuffleSeed: 3, embedding, objective: 'published' },
});
const configs: [string, ModelConfig][] = [
  ['arm', { family: 'arm', shape, precision: 'fp32' }],
  ['mdm', { family: 'mdm', shape, precision: 'fp32', mdm: { eps: 1e-3 } }],
  ['prime cat-share', prime('cat-share')],
  ['prime sum', prime('sum')],
];

describe('validation loss at initialisation', () => {
  it.each(configs)(
    '%s: the bound is ln V per token (uniform tokens, several eval batches)',
    async (_, config) => {
      const B = 64;
      const T = shape.seqLen;
      const graph = buildEvalGraph(config, B);
      const session = await openSession(graph.onnx, 'all');
      const params = paramFeeds(initParams(config, 1), graph.params, 'float32');
      const rowLosses: number[] = [];
      let objectiveRatio = 0;
      const batches = 6;
      for (let k = 0; k < batches; k++) {
        const rng = new Rng(99, k);
        const batch = Int32Array.from({ length: B * (T + 1) }, () => rng.nextInt(V));
        const feeds = graph.feeds.eval(batch, [7, k]);
        const out = await session.run({ ...params, ...feeds });
        for (const s of out[GRAPH_OUTPUTS.boundRowSums]!) rowLosses.push(s / T);
        if (graph.hasObjective) {
          // At init every CE is ≈ ln V, so J's row sum is ≈ (1/t)·T·ln V: J weighs every token by 1/t.
          const weights = feeds[FEED.tokenWeights]!.data;
          const objective = out[GRAPH_OUTPUTS.objectiveRowSums]!;
          let expected = 0;
          let got = 0;
          for (let r = 0; r < B; r++) {
            expected += weights[r * T]! * T * Math.log(V);
            got += objective[r]!;
          }
          objectiveRatio += got / expected / batches;
        }
      }
      await session.release();
      const n = rowLosses.length;
      const mean = rowLosses.reduce((a, b) => a + b, 0) / n;
      const stdErr = Math.sqrt(rowLosses.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n);
      // Evaluation masks exactly m units per row, so ARM and MDM are precise; Prime's K stays noisier
      // (a masked digit's marginal is 0 or ln 2 nats depending on which codes are valid).
      expect(stdErr).toBeLessThan(config.family === 'mdm-prime-v2' ? 0.1 : 0.005);
      expect(Math.abs(mean - Math.log(V))).toBeLessThan(0.1);
      if (graph.hasObjective) expect(Math.abs(objectiveRatio - 1)).toBeLessThan(0.01);
    },
  );
});
