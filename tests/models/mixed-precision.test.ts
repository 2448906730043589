import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import {
  GRAPH_OUTPUTS,
  Rng,
  buildEvalGraph,
  buildTrainStepGraph,
  initParams,
  type ModelConfig,
} from '@isoflop/models';
import { firstStepFeeds, openSession, paramFeeds } from './ort-session.js';

const shape = { dModel: 40, nLayers: 2, nHeads: 2, ffnHidden: 64, vocabSize: 32, seqLen: 16 };
const configs: [string, ModelConfig][] = [
  ['arm', { family: 'arm', shape, precision: 'mixed' }],
  ['mdm', { family: 'mdm', shape, precision: 'mixed', mdm: { eps: 1e-3 } }],
  [
    'prime nelbo',
    {
      family: 'mdm-prime-v2',
      shape,
      precision: 'mixed',
      prime: {
        base: 2,
        length: 5,
        shuffle: true,
        shuffleSeed: 1,
        embedding: 'cat-share',
        objective: 'nelbo',
      },
    },
  ],
];
const optimizer = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
const B = 4;

function rows(seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: B * (shape.seqLen + 1) }, () => rng.nextInt(shape.vocabSize));
}

describe('mixed precision (float16 products, float32 master weights, loss scaling)', () => {
  it.each(configs)(
    '%s: loss, gradient norm and eval bound stay within float16 rounding of fp32',
    async (_, mixed) => {
      const fp32: ModelConfig = { ...mixed, precision: 'fp32' };
      const values = initParams(fp32, 3);
      const batch = rows(5);
      const step = async (config: ModelConfig) => {
        const graph = buildTrainStepGraph(config, B, optimizer);
        const session = await openSession(graph.onnx, 'all');
        const out = await session.run(
          { ...firstStepFeeds(values, graph), ...graph.feeds.train(batch, [0, 1]) },
          [GRAPH_OUTPUTS.loss, graph.names.gradNorm],
        );
        await session.release();
        return { loss: out[GRAPH_OUTPUTS.loss]![0]!, gradNorm: out[graph.names.gradNorm]![0]! };
      };
      const evalBound = async (config: ModelConfig) => {
        const graph = buildEvalGraph(config, B);
        const session = await openSession(graph.onnx, 'all');
        const out = await session.run(
          { ...paramFeeds(values, graph.params, 'float32'), ...graph.feeds.eval(batch, [1, 0]) },
          [GRAPH_OUTPUTS.boundRowSums],
        );
        await session.release();
        return out[GRAPH_OUTPUTS.boundRowSums]!.reduce((a, b) => a + b, 0);
      };
      const [reference, half] = [await step(fp32), await step(mixed)];
      const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
      // ORT's CPU EP has no float16 MatMul: it casts back to float32 (and may drop cast pairs), so on CPU
      // the check is that the numbers agree and the graph really asks for float16 products.
      const toHalf = (config: ModelConfig) =>
        onnxProto.onnx.ModelProto.decode(
          buildTrainStepGraph(config, B, optimizer).onnx,
        ).graph!.node!.filter(
          (n) =>
            n.opType === 'Cast' && n.attribute!.some((a) => a.name === 'to' && Number(a.i) === 10),
        ).length;
      const matmuls = onnxProto.onnx.ModelProto.decode(
        buildTrainStepGraph(mixed, B, optimizer).onnx,
      ).graph!.node!.filter((n) => n.opType === 'MatMul').length;
      expect(toHalf(fp32)).toBe(0);
      expect(toHalf(mixed)).toBeGreaterThan(matmuls / 2);
      expect(relative(half.loss, reference.loss)).toBeLessThan(2e-3);
      expect(relative(half.gradNorm, reference.gradNorm)).toBeLessThan(2e-2);
      expect(relative(await evalBound(mixed), await evalBound(fp32))).toBeLessThan(2e-3);
    },
  );
});
