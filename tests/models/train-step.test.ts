import { describe, expect, it } from 'vitest';
import {
  GRAPH_OUTPUTS,
  Rng,
  buildTrainStepGraph,
  initParams,
  type FeedTensor,
  type Feeds,
  type ModelConfig,
} from '@isoflop/models';
import { openSession } from './ort-session.js';

const shape = { dModel: 40, nLayers: 2, nHeads: 2, ffnHidden: 64, vocabSize: 32, seqLen: 16 };
const prime = (objective: 'published' | 'nelbo'): ModelConfig => ({
  family: 'mdm-prime-v2',
  shape,
  precision: 'fp32',
  prime: { base: 2, length: 5, shuffle: true, shuffleSeed: 1, embedding: 'cat-share', objective },
});
const configs: [string, ModelConfig][] = [
  ['arm', { family: 'arm', shape, precision: 'fp32' }],
  ['mdm', { family: 'mdm', shape, precision: 'fp32', mdm: { eps: 1e-3 } }],
  ['prime published', prime('published')],
  ['prime nelbo', prime('nelbo')],
];
const optimizer = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };

describe('train step graph (forward + backward + clip + AdamW in one ORT run)', () => {
  it.each(configs)(
    '%s: fits a repeated batch, carrying params and moments between runs',
    async (_, config) => {
      const B = 4;
      const T = shape.seqLen;
      const graph = buildTrainStepGraph(config, B, optimizer);
      for (const p of graph.params) {
        for (const name of [
          graph.names.paramNext(p.name),
          graph.names.mNext(p.name),
          graph.names.vNext(p.name),
        ]) {
          expect(graph.outputNames).toContain(name);
        }
      }
      const session = await openSession(graph.onnx, 'all');
      const state: Feeds = {};
      for (const [name, values] of initParams(config, 0)) {
        const dims = graph.params.find((p) => p.name === name)!.shape;
        state[graph.names.param(name)] = { type: 'float32', data: values, dims };
        state[graph.names.m(name)] = {
          type: 'float32',
          data: new Float32Array(values.length),
          dims,
        };
        state[graph.names.v(name)] = {
          type: 'float32',
          data: new Float32Array(values.length),
          dims,
        };
      }
      // Rows of a short repeated pattern: learnable by every family.
      const rng = new Rng(4);
      const pattern = Int32Array.from({ length: T + 1 }, () => rng.nextInt(shape.vocabSize));
      const batch = new Int32Array(B * (T + 1));
      for (let b = 0; b < B; b++) batch.set(pattern, b * (T + 1));
      const scalar = (v: number): FeedTensor => ({
        type: 'float32',
        data: Float32Array.of(v),
        dims: [],
      });
      const losses: number[] = [];
      for (let step = 1; step <= 25; step++) {
        // One fixed (t, mask) draw, so the objective is a fixed function of the params.
        const feeds = { ...state, ...graph.feeds.train(batch, [0, 0]) };
        expect([...Object.keys(feeds), graph.names.lr, graph.names.step].sort()).toEqual(
          [...graph.inputNames].sort(),
        );
        const out = await session.run({
          ...feeds,
          [graph.names.lr]: scalar(3e-3),
          [graph.names.step]: scalar(step),
        });
        losses.push(out[GRAPH_OUTPUTS.loss]![0]!);
        expect(Number.isFinite(out[graph.names.gradNorm]![0]!)).toBe(true);
        for (const p of graph.params) {
          const dims = p.shape;
          state[graph.names.param(p.name)] = {
            type: 'float32',
            data: Float32Array.from(out[graph.names.paramNext(p.name)]!),
            dims,
          };
          state[graph.names.m(p.name)] = {
            type: 'float32',
            data: Float32Array.from(out[graph.names.mNext(p.name)]!),
            dims,
          };
          state[graph.names.v(p.name)] = {
            type: 'float32',
            data: Float32Array.from(out[graph.names.vNext(p.name)]!),
            dims,
          };
        }
      }
      await session.release();
      expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
    },
  );
});
