import { describe, expect, it } from 'vitest';
import { ADAMW_NAMES } from '@isoflop/graph';
import { buildTrainStepGraph, type ModelConfig } from '@isoflop/models';
import {
  createSession,
  initialState,
  resolveSessionSettings,
  stateBindings,
  toOrtFeeds,
} from '@isoflop/trainer';
import ort from 'onnxruntime-node';

// A 2-core worker runs each step on two intra-op threads. Every kernel the step graph uses must then give
// the same bits run after run: an op that races between threads (as ORT's ScatterND add did on repeated
// token ids) would make training unreproducible and resume inexact.
// Large enough that ORT splits the work of each kernel between the threads: at d_model 128 and context 128
// the old ScatterND rule still ran on one thread and this test could not see its race; here it fails on it.
const shape = { dModel: 256, nLayers: 1, nHeads: 4, ffnHidden: 512, vocabSize: 256, seqLen: 256 };
const configs: [string, ModelConfig][] = [
  ['arm', { family: 'arm', shape, precision: 'fp32' }],
  ['mdm', { family: 'mdm', shape, precision: 'fp32', mdm: { eps: 1e-3 } }],
  [
    'mdm-prime-v2',
    {
      family: 'mdm-prime-v2',
      shape,
      precision: 'fp32',
      prime: {
        base: 2,
        length: 8,
        shuffle: true,
        shuffleSeed: 0,
        embedding: 'cat-share',
        objective: 'published',
      },
    },
  ],
];
const optimizer = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
const BATCH = 8;
const RUNS = 6;

describe('a training step on two threads', () => {
  it.each(configs)(
    '%s: gives identical bits on every run of the same inputs',
    async (_, config) => {
      const graph = buildTrainStepGraph(config, BATCH, optimizer);
      const session = await createSession(graph.onnx, resolveSessionSettings({ threads: 2 }));
      try {
        const feeds: Record<string, ort.Tensor> = {};
        const state = initialState(config, graph, 0);
        for (const { input, dims } of stateBindings(graph)) {
          feeds[input] = new ort.Tensor('float32', state.get(input) as Float32Array, dims);
        }
        // Few distinct ids, so every id repeats many times in the batch.
        const tokens = Int32Array.from(
          { length: BATCH * (shape.seqLen + 1) },
          (_, i) => (i * 7) % 12,
        );
        Object.assign(feeds, toOrtFeeds(graph.feeds.train(tokens, [0, 0])));
        feeds[ADAMW_NAMES.lr] = new ort.Tensor('float32', Float32Array.of(1e-2), []);
        feeds[ADAMW_NAMES.step] = new ort.Tensor('float32', Float32Array.of(1), []);

        const first = await session.run(feeds);
        for (let run = 1; run < RUNS; run++) {
          const again = await session.run(feeds);
          const differing = graph.outputNames.filter((name) => {
            const a = first[name]!.data as Float32Array;
            const b = again[name]!.data as Float32Array;
            return a.some((value, i) => !Object.is(value, b[i]));
          });
          expect(differing, `run ${run}`).toEqual([]);
        }
      } finally {
        await session.release();
      }
    },
  );
});
