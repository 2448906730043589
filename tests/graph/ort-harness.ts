import ort from 'onnxruntime-node';

/** Uint16Array carries float16 bit patterns. */
export type Feed =
  Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array;

export interface LoadedGraph {
  run(
    feeds: Record<string, { data: Feed; shape: readonly number[] }>,
  ): Promise<Record<string, Feed>>;
  release(): Promise<void>;
}

const TYPE_OF = (data: Feed): 'float16' | 'float32' | 'float64' | 'int32' | 'int64' | 'bool' =>
  data instanceof Uint16Array
    ? 'float16'
    : data instanceof Float32Array
      ? 'float32'
      : data instanceof Float64Array
        ? 'float64'
        : data instanceof Int32Array
          ? 'int32'
          : data instanceof BigInt64Array
            ? 'int64'
            : 'bool';

/** Opens an ONNX model in a real CPU InferenceSession with full graph optimisation. */
export async function loadGraph(bytes: Uint8Array, threads = 1): Promise<LoadedGraph> {
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  return {
    async run(feeds) {
      const inputs: Record<string, ort.Tensor> = {};
      for (const [name, { data, shape }] of Object.entries(feeds)) {
        inputs[name] = new ort.Tensor(TYPE_OF(data), data, [...shape]);
      }
      const out = await session.run(inputs);
      const result: Record<string, Feed> = {};
      for (const [name, t] of Object.entries(out)) result[name] = t.data as Feed;
      return result;
    },
    release: () => session.release(),
  };
}
