import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { ADAMW_NAMES } from '@isoflop/graph';
import {
  GRAPH_OUTPUTS,
  Rng,
  buildEvalGraph,
  buildTrainStepGraph,
  initParams,
  type ModelConfig,
  type Precision,
} from '@isoflop/models';
import { firstStepFeeds, openSession } from './ort-session.js';

// Graphs built for WebGPU avoid the ops its provider lacks (ORT would run them on the CPU, copying
// [tokens, vocab] logits and every fan-in gradient off the GPU and back each step), and compute the same
// numbers: both builds run here on ORT's CPU provider.
const shape = { dModel: 40, nLayers: 2, nHeads: 2, ffnHidden: 64, vocabSize: 32, seqLen: 16 };
const prime = {
  base: 2,
  length: 5,
  shuffle: true,
  shuffleSeed: 1,
  embedding: 'cat-share',
  objective: 'published',
} as const;
const configs = (precision: Precision): [string, ModelConfig][] => [
  [`arm ${precision}`, { family: 'arm', shape, precision }],
  [`mdm ${precision}`, { family: 'mdm', shape, precision, mdm: { eps: 1e-3 } }],
  [`prime ${precision}`, { family: 'mdm-prime-v2', shape, precision, prime }],
];
const optimizer = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
const B = 4;
const WEBGPU_LACKS = ['Sum', 'LogSoftmax'];
const INT64 = 7;

function nodes(onnx: Uint8Array) {
  return onnxProto.onnx.ModelProto.decode(onnx).graph!.node!;
}

function rows(seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: B * (shape.seqLen + 1) }, () => rng.nextInt(shape.vocabSize));
}

async function step(config: ModelConfig, target: 'cpu' | 'webgpu') {
  const graph = buildTrainStepGraph(config, B, optimizer, { target });
  const session = await openSession(graph.onnx, 'all');
  const out = await session.run({
    ...firstStepFeeds(initParams(config, 3), graph),
    ...graph.feeds.train(rows(5), [0, 1]),
  });
  await session.release();
  return out;
}

describe('graphs built for WebGPU', () => {
  it.each([...configs('fp32'), ...configs('mixed')])(
    '%s: no op WebGPU lacks, no int64 casts',
    (_, config) => {
      for (const onnx of [
        buildTrainStepGraph(config, B, optimizer, { target: 'webgpu' }).onnx,
        buildEvalGraph(config, B, { target: 'webgpu' }).onnx,
      ]) {
        const ops = nodes(onnx);
        expect(ops.filter((n) => WEBGPU_LACKS.includes(n.opType!)).map((n) => n.opType)).toEqual(
          [],
        );
        const int64Casts = ops.filter(
          (n) =>
            n.opType === 'Cast' &&
            n.attribute!.some((a) => a.name === 'to' && Number(a.i) === INT64),
        );
        expect(int64Casts).toHaveLength(0);
      }
      // The CPU build keeps the fused kernels, which are faster there.
      const cpu = nodes(buildTrainStepGraph(config, B, optimizer).onnx).map((n) => n.opType);
      expect(cpu).toContain('Sum');
      expect(cpu).toContain('LogSoftmax');
    },
  );

  it.each(configs('fp32'))(
    '%s: one training step gives the CPU build’s loss, gradient norm and state',
    async (_, config) => {
      const [cpu, webgpu] = [await step(config, 'cpu'), await step(config, 'webgpu')];
      const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
      expect(relative(webgpu[GRAPH_OUTPUTS.loss]![0]!, cpu[GRAPH_OUTPUTS.loss]![0]!)).toBeLessThan(
        1e-6,
      );
      const gradNorm = ADAMW_NAMES.gradNorm;
      expect(relative(webgpu[gradNorm]![0]!, cpu[gradNorm]![0]!)).toBeLessThan(1e-5);
      // Every output (loss, norm, updated parameters and moments) to float32 rounding of its scale.
      for (const [name, values] of Object.entries(cpu)) {
        const other = webgpu[name]!;
        let worst = 0;
        let scale = 1e-3;
        values.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(v - other[i]!));
          scale = Math.max(scale, Math.abs(v));
        });
        expect(worst / scale, name).toBeLessThan(1e-6);
      }
    },
  );
});
