// Per family, on the quickstart's largest shape: graph build time and size, host-side feed time, the
// ORT CPU train-step throughput, and the standard error of the evaluation bound at init under the
// training estimator (t-drawn masks, weight 1/t) versus the evaluation estimator (m masked units).
import ort from 'onnxruntime-node';
import {
  GRAPH_OUTPUTS,
  Rng,
  buildEvalGraph,
  buildTrainStepGraph,
  initParams,
  type FeedTensor,
  type Feeds,
  type ModelConfig,
} from '@isoflop/models';

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const shape = { dModel: 120, nLayers: 3, nHeads: 6, ffnHidden: 480, vocabSize: 1024, seqLen: 64 };
const B = 16;
const optimizer = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
const prime = (objective: 'published' | 'nelbo'): ModelConfig => ({
  family: 'mdm-prime-v2',
  shape,
  precision: 'fp32',
  prime: { base: 2, length: 10, shuffle: true, shuffleSeed: 0, embedding: 'cat-share', objective },
});
const variants: [string, ModelConfig][] = [
  ['arm', { family: 'arm', shape, precision: 'fp32' }],
  ['mdm', { family: 'mdm', shape, precision: 'fp32', mdm: { eps: 1e-3 } }],
  ['mdm-prime-v2/published', prime('published')],
  ['mdm-prime-v2/nelbo', prime('nelbo')],
];

function emit(bench: string, metric: string, value: number, unit: string, context: object): void {
  console.log(JSON.stringify({ bench, metric, value, unit, ...context }));
}

function toOrt(feeds: Feeds): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) out[name] = new ort.Tensor(t.type, t.data, t.dims);
  return out;
}

function randomRows(rows: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: rows * (shape.seqLen + 1) }, () => rng.nextInt(shape.vocabSize));
}

const sessionOptions: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: THREADS,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
};

for (const [variant, config] of variants) {
  const context = { variant, ...shape, batch_size: B, threads: THREADS };
  let t0 = performance.now();
  const step = buildTrainStepGraph(config, B, optimizer);
  emit('model-graphs', 'train_graph_build_ms', performance.now() - t0, 'ms', context);
  emit('model-graphs', 'train_graph_bytes', step.onnx.length, 'bytes', context);

  const rows = randomRows(B, 1);
  t0 = performance.now();
  for (let i = 0; i < 20; i++) step.feeds.train(rows, [0, i]);
  emit('model-feeds', 'train_feed_ms_per_batch', (performance.now() - t0) / 20, 'ms', context);
  t0 = performance.now();
  for (let i = 0; i < 20; i++) step.feeds.eval(rows, [0, i]);
  emit('model-feeds', 'eval_feed_ms_per_batch', (performance.now() - t0) / 20, 'ms', context);

  const session = await ort.InferenceSession.create(step.onnx, sessionOptions);
  const state: Feeds = {};
  for (const [name, values] of initParams(config, 0)) {
    const dims = step.params.find((p) => p.name === name)!.shape;
    state[step.names.param(name)] = { type: 'float32', data: values, dims };
    state[step.names.m(name)] = { type: 'float32', data: new Float32Array(values.length), dims };
    state[step.names.v(name)] = { type: 'float32', data: new Float32Array(values.length), dims };
  }
  const scalar = (v: number): FeedTensor => ({
    type: 'float32',
    data: Float32Array.of(v),
    dims: [],
  });
  const runStep = (i: number) =>
    session.run(
      toOrt({ ...state, ...step.feeds.train(rows, [0, i]), lr: scalar(1e-3), step: scalar(i + 1) }),
      [GRAPH_OUTPUTS.loss],
    );
  for (let i = 0; i < 3; i++) await runStep(i);
  const timed = 10;
  t0 = performance.now();
  for (let i = 0; i < timed; i++) await runStep(i);
  const seconds = (performance.now() - t0) / 1000;
  emit(
    'model-train-step',
    'tokens_per_second',
    (timed * B * shape.seqLen) / seconds,
    'tokens/s',
    context,
  );
  emit('model-train-step', 'step_ms', (seconds * 1000) / timed, 'ms', context);
  await session.release();

  if (config.family === 'arm' || config.prime?.objective === 'published') continue;
  // Standard error of the bound over 16384 evaluation tokens at init: both estimators, same model.
  const evalGraph = buildEvalGraph(config, B);
  const evalSession = await ort.InferenceSession.create(evalGraph.onnx, sessionOptions);
  const params: Feeds = {};
  for (const [name, values] of initParams(config, 0)) {
    params[`p.${name}`] = {
      type: 'float32',
      data: values,
      dims: evalGraph.params.find((p) => p.name === name)!.shape,
    };
  }
  const batches = 16384 / (B * shape.seqLen);
  for (const estimator of ['train', 'eval'] as const) {
    const perRow: number[] = [];
    for (let k = 0; k < batches; k++) {
      const batch = randomRows(B, 100 + k);
      const evalFeeds = evalGraph.feeds.eval(batch, [7, k]);
      const feeds =
        estimator === 'eval'
          ? evalFeeds
          : { ...evalFeeds, ...evalGraph.feeds.train(batch, [7, k]) };
      const out = await evalSession.run(toOrt({ ...params, ...feeds }), [
        GRAPH_OUTPUTS.boundRowSums,
      ]);
      for (const s of out[GRAPH_OUTPUTS.boundRowSums]!.data as Float32Array)
        perRow.push(s / shape.seqLen);
    }
    const mean = perRow.reduce((a, b) => a + b, 0) / perRow.length;
    const se = Math.sqrt(
      perRow.reduce((a, b) => a + (b - mean) ** 2, 0) / (perRow.length - 1) / perRow.length,
    );
    emit('model-eval-estimator', 'bound_std_err', se, 'nats/token', {
      ...context,
      estimator: estimator === 'eval' ? 'm masked units, weight n/m' : 't-drawn masks, weight 1/t',
      eval_tokens: 16384,
      bound_mean: mean,
      ln_vocab: Math.log(shape.vocabSize),
    });
  }
  await evalSession.release();
}
