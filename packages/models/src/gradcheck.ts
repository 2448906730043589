import { GraphBuilder, checkGradients } from '@isoflop/graph';
import { familyModule } from './families/family-table.js';
import type { Feeds } from './feed-inputs.js';
import { FeedBuilder } from './feeds.js';
import { buildModelGraph, trainingLoss } from './model-graph.js';
import type { ModelParam } from './param-init.js';
import { Rng } from './rng.js';
import { GRAPH_OUTPUTS } from './step-graph.js';
import type { Family, ModelConfig, PrimeEmbedding, PrimeObjective } from './types.js';
import { validateModelConfig } from './validate-config.js';

/** Output name of the gradient of a param in a gradient graph. */
export const gradOutputName = (param: string): string => `grad.${param}`;

export interface GradientGraph {
  onnx: Uint8Array;
  params: ModelParam[];
  feeds: FeedBuilder;
}

/** Float64 forward + backward of the training loss: outputs `loss` and `grad.<name>` per param. */
export function buildGradientGraph(config: ModelConfig, batchSize: number): GradientGraph {
  validateModelConfig(config);
  const graph = buildModelGraph(config, batchSize, 'train', 'float64');
  const b: GraphBuilder = graph.ctx.b;
  const loss = trainingLoss(graph, batchSize, config.shape.seqLen);
  b.output(GRAPH_OUTPUTS.loss, loss);
  const grads = b.backward(
    loss,
    b.params.map((p) => p.tensor),
  );
  b.params.forEach((p, i) => b.output(gradOutputName(p.name), grads[i]!));
  return {
    onnx: b.toOnnxBytes(),
    params: graph.ctx.params,
    feeds: new FeedBuilder(config, batchSize, 'float64'),
  };
}

/** Runs a graph on feeds and returns the named outputs; the caller owns the runtime (e.g. ORT). */
export type GraphRun = (
  feeds: Feeds,
  fetch: readonly string[],
) => Promise<Record<string, ArrayLike<number>>>;
export type OpenGraph = (onnx: Uint8Array) => Promise<GraphRun>;

/** The JSON of `isoflop gradcheck --json`. */
export interface GradcheckReport {
  family: Family;
  variant?: string;
  /** Per tensor: relative error over the probed entries, and the norm of the probed analytic gradient. */
  tensors: { name: string; relative_error: number; analytic_norm: number }[];
  worst_relative_error: number;
}

export interface GradcheckOptions {
  batchSize?: number;
  seed?: number;
  /** Entries probed per tensor (central differences, two runs each). */
  probesPerTensor?: number;
}

/**
 * A tiny configuration of `family` for gradient checks: 2 layers, d = 16, V = 13, T = 5, and for Prime
 * b = 2, l = 4 with a shuffled code table.
 */
export function gradcheckConfig(
  family: Family,
  prime: { embedding?: PrimeEmbedding; objective?: PrimeObjective } = {},
): ModelConfig {
  const shape = { dModel: 16, nLayers: 2, nHeads: 2, ffnHidden: 24, vocabSize: 13, seqLen: 5 };
  return familyModule(family).gradcheckConfig(shape, prime);
}

/**
 * Float64 central finite differences of the whole model's training loss against the graph's analytic
 * gradients, for every parameter tensor. Parameters are drawn at a larger scale than the training
 * init (std 0.3, gains 1 ± 0.3) so that attention and the nonlinearities are far from linear.
 */
export async function gradcheckModel(
  config: ModelConfig,
  open: OpenGraph,
  options: GradcheckOptions = {},
): Promise<GradcheckReport> {
  const batchSize = options.batchSize ?? 3;
  const seed = options.seed ?? 0;
  const graph = buildGradientGraph(config, batchSize);
  const run = await open(graph.onnx);
  const rng = new Rng(seed, 1);
  const values = graph.params.map((p) => {
    const v = new Float64Array(p.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < v.length; i++)
      v[i] = (p.init.kind === 'ones' ? 1 : 0) + 0.3 * rng.nextNormal();
    return v;
  });
  const T = config.shape.seqLen;
  const batchRng = new Rng(seed, 2);
  const batch = Int32Array.from({ length: batchSize * (T + 1) }, () =>
    batchRng.nextInt(config.shape.vocabSize),
  );
  const batchFeeds = graph.feeds.train(batch, [seed, 3]);
  const feeds = (): Feeds => {
    const f: Feeds = { ...batchFeeds };
    graph.params.forEach(
      (p, i) => (f[`p.${p.name}`] = { type: 'float64', data: values[i]!, dims: p.shape }),
    );
    return f;
  };
  const gradNames = graph.params.map((p) => gradOutputName(p.name));
  const analytic = await run(feeds(), gradNames);
  const report = await checkGradients(
    graph.params.map((p, i) => ({
      name: p.name,
      values: values[i]!,
      analytic: analytic[gradNames[i]!]!,
    })),
    async () => (await run(feeds(), [GRAPH_OUTPUTS.loss]))[GRAPH_OUTPUTS.loss]![0]!,
    { probesPerTensor: options.probesPerTensor ?? 6, step: 1e-5, floor: 1e-7, seed },
  );
  return {
    family: config.family,
    ...(config.prime ? { variant: `${config.prime.embedding}/${config.prime.objective}` } : {}),
    tensors: report.tensors.map((t) => ({
      name: t.name,
      relative_error: t.relativeError,
      analytic_norm: t.analyticNorm,
    })),
    worst_relative_error: report.worstRelativeError,
  };
}
