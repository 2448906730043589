import * as ort from 'onnxruntime-node';
import type { FeedTensor, Feeds, StepGraph } from '@isoflop/models';

export type Outputs = Record<string, Float64Array>;

export interface GraphSession {
  run(feeds: Feeds, fetch?: readonly string[]): Promise<Outputs>;
  release(): Promise<void>;
}

function toOrt(t: FeedTensor): ort.Tensor {
  return new ort.Tensor(t.type === 'float64' ? 'float64' : t.type, t.data, t.dims);
}

/**
 * A CPU InferenceSession over graph bytes; every output is returned as Float64Array. Float64 graphs
 * need `basic` optimisation: ORT's extended level fuses x·sigmoid(x) into QuickGelu, a float-only kernel.
 */
export async function openSession(
  onnx: Uint8Array,
  level: 'basic' | 'all' = 'basic',
): Promise<GraphSession> {
  const session = await ort.InferenceSession.create(onnx, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: level,
  });
  return {
    async run(feeds, fetch) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrt(t);
      const result = fetch ? await session.run(ortFeeds, [...fetch]) : await session.run(ortFeeds);
      const out: Outputs = {};
      for (const [name, t] of Object.entries(result))
        out[name] = Float64Array.from(t.data as ArrayLike<number>);
      return out;
    },
    release: () => session.release(),
  };
}

/** Param feeds `p.<name>` from values in the graph's float type. */
export function paramFeeds(
  values: ReadonlyMap<string, Float32Array | Float64Array>,
  params: readonly { name: string; shape: number[] }[],
  floatType: 'float32' | 'float64',
): Feeds {
  const feeds: Feeds = {};
  for (const p of params) {
    const v = values.get(p.name);
    if (v === undefined) throw new Error(`no value for param ${p.name}`);
    feeds[`p.${p.name}`] =
      floatType === 'float64'
        ? { type: 'float64', data: Float64Array.from(v), dims: p.shape }
        : { type: 'float32', data: Float32Array.from(v), dims: p.shape };
  }
  return feeds;
}

/**
 * Everything a step graph's first step is fed besides the batch: parameters, zero moments, learning
 * rate 1e-3 and step 1.
 */
export function firstStepFeeds(values: ReadonlyMap<string, Float32Array>, graph: StepGraph): Feeds {
  const scalar = (v: number): FeedTensor => ({
    type: 'float32',
    data: Float32Array.of(v),
    dims: [],
  });
  const feeds: Feeds = {
    ...paramFeeds(values, graph.params, 'float32'),
    [graph.names.lr]: scalar(1e-3),
    [graph.names.step]: scalar(1),
  };
  for (const p of graph.params) {
    const zeros = new Float32Array(values.get(p.name)!.length);
    feeds[graph.names.m(p.name)] = { type: 'float32', data: zeros, dims: p.shape };
    feeds[graph.names.v(p.name)] = { type: 'float32', data: zeros, dims: p.shape };
  }
  return feeds;
}
