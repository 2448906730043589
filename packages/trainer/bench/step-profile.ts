// Where a training step's time goes. Two measurements in one process:
// - without profiling, best-of-N step times fetching the whole updated state against fetching the loss only
//   (the same kernels run either way): the difference is the Node binding copying every updated parameter
//   and moment into fresh JavaScript buffers, as a share of the step;
// - with ONNX Runtime's profiler on (which slows every kernel a little), the share of kernel time per kind
//   of operator (matrix products, element-wise arithmetic, reductions and softmax, data movement), and the
//   share of ORT's run spent outside its kernels;
// - against the fp32 MatMul peak measured in the same process (rounds interleaved with the profiled steps),
//   the rate of each kind of matrix product in the step, and the MFU the step would reach if every other
//   kernel took no time: the ceiling that shrinking element-wise work alone can approach.
// Prints JSON lines {"bench", "metric", "value", "unit", ...context}. Env: BENCH_DMODELS (default 256),
// BENCH_LAYERS (4), BENCH_SEQ (256), BENCH_BATCH (8), BENCH_THREADS (2), BENCH_STEPS (8), BENCH_SPINNING.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ADAMW_NAMES } from '@isoflop/graph';
import {
  GRAPH_OUTPUTS,
  buildTrainStepGraph,
  flopsPerStep,
  type ModelConfig,
  type StepGraph,
} from '@isoflop/models';
import {
  initialState,
  resolveSessionSettings,
  sessionOptions,
  stateBindings,
  toOrtFeeds,
} from '@isoflop/trainer';
import ort from 'onnxruntime-node';
import {
  armBenchConfig,
  BENCH_OPTIMIZER,
  benchContext,
  largestProductProbe,
  productName,
  stepBenchSettings,
} from './step-bench/settings.js';
import {
  KERNEL_KINDS,
  kernelKind,
  matmulFlops,
  readProfile,
  timedKernels,
} from './step-bench/profile-events.js';
import { benchEmitter } from './support/bench-lines.js';

const bench = stepBenchSettings({ dModels: '256', timedSteps: 8 });
const { threads, timedSteps, batchSize, seqLen, vocabSize } = bench;
const emit = benchEmitter('step-profile');
const WARMUP_STEPS = 2;

for (const dModel of bench.dModels) {
  const config = armBenchConfig(bench, dModel);
  const context = benchContext(bench, dModel);
  const graph = buildTrainStepGraph(config, batchSize, BENCH_OPTIMIZER);
  const feeds = stepFeeds(config, graph);
  const settings = resolveSessionSettings({ threads, spinning: bench.spinning });
  const options = sessionOptions(settings, []);

  // The state copy: whole state fetched against the loss only, interleaved, best of each.
  const plain = await ort.InferenceSession.create(graph.onnx, options);
  const best = { state: Number.POSITIVE_INFINITY, loss: Number.POSITIVE_INFINITY };
  for (let i = 0; i < WARMUP_STEPS + timedSteps; i++) {
    for (const fetch of ['state', 'loss'] as const) {
      const start = performance.now();
      await plain.run(feeds, fetch === 'state' ? graph.outputNames : [GRAPH_OUTPUTS.loss]);
      if (i >= WARMUP_STEPS) best[fetch] = Math.min(best[fetch], performance.now() - start);
    }
  }
  await plain.release();
  emit('step_time', best.state / 1000, 's', { ...context, statistic: 'best', steps: timedSteps });
  emit('state_copy_share', (best.state - best.loss) / best.state, 'ratio', {
    ...context,
    reference: 'step time',
    what: 'the Node binding copying the updated parameters and moments into JavaScript',
  });

  // The kernels, by ORT's profiler.
  const profileDir = mkdtempSync(join(tmpdir(), 'isoflop-step-profile-'));
  const profiled = await ort.InferenceSession.create(graph.onnx, {
    ...options,
    enableProfiling: true,
    profileFilePrefix: join(profileDir, 'step'),
  });
  const probe = await largestProductProbe(bench, settings, dModel);
  for (let i = 0; i < WARMUP_STEPS + timedSteps; i++) {
    const start = performance.now();
    await profiled.run(feeds);
    if (i >= WARMUP_STEPS) await probe.round(Math.min(0.5, (performance.now() - start) / 1000));
  }
  profiled.endProfiling();
  await profiled.release();
  const peak = probe.result();
  await probe.release();
  const { kernels, runUs } = timedKernels(readProfile(profileDir), WARMUP_STEPS);
  rmSync(profileDir, { recursive: true, force: true });

  const byKind = new Map<string, number>();
  // Matrix products by operator and shape: FLOPs and kernel time over the timed steps.
  const products = new Map<string, { flops: number; us: number }>();
  let kernelUs = 0;
  for (const kernel of kernels) {
    const kind = kernelKind(kernel.opType);
    byKind.set(kind, (byKind.get(kind) ?? 0) + kernel.us);
    kernelUs += kernel.us;
    if (kind === 'matmul') {
      const { flops, k } = matmulFlops(kernel);
      const key = `${kernel.opType} [${kernel.output.join(',')}] k=${k}`;
      const entry = products.get(key) ?? { flops: 0, us: 0 };
      products.set(key, { flops: entry.flops + flops, us: entry.us + kernel.us });
    }
  }
  for (const kind of ['matmul', 'elementwise', 'reduction', 'data_movement']) {
    emit('kernel_share', (byKind.get(kind) ?? 0) / kernelUs, 'ratio', {
      ...context,
      kind,
      reference: 'kernel time (ORT profiler)',
      ops: KERNEL_KINDS[kind]?.join(' ') ?? 'every other operator',
    });
  }
  emit('ort_overhead_share', (runUs - kernelUs) / runUs, 'ratio', {
    ...context,
    reference: 'ORT run time (profiler)',
    what: "ORT's run outside its kernels (scheduling, allocation)",
  });
  const peakReference = `fp32 matmul peak, same process (${productName(peak)})`;
  const matmulUs = byKind.get('matmul') ?? 0;
  const modelFlops = flopsPerStep(config, batchSize);
  emit(
    'matmul_bound_mfu',
    (modelFlops * timedSteps) / (matmulUs / 1e6) / peak.flopsPerSecond,
    'ratio',
    {
      ...context,
      reference: peakReference,
      what: 'model FLOP/s if every kernel but the matrix products took no time',
    },
  );
  for (const [product, { flops, us }] of [...products].sort((a, b) => b[1].us - a[1].us)) {
    emit('matmul_rate', flops / (us / 1e6) / peak.flopsPerSecond, 'ratio', {
      ...context,
      reference: peakReference,
      product: `${product} (output, contracted dim)`,
      matmul_time_share: us / matmulUs,
    });
  }
}

/** One step's feeds: initial parameters, zero moments, a fixed batch, lr and step. */
function stepFeeds(config: ModelConfig, graph: StepGraph): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  const state = initialState(config, graph, 0);
  for (const { input, dims } of stateBindings(graph)) {
    feeds[input] = new ort.Tensor('float32', state.get(input) as Float32Array, dims);
  }
  const batch = new Int32Array(batchSize * (seqLen + 1));
  for (let i = 0; i < batch.length; i++) batch[i] = (i * 7919) % vocabSize;
  Object.assign(feeds, toOrtFeeds(graph.feeds.train(batch, [0, 0])));
  feeds[ADAMW_NAMES.lr] = new ort.Tensor('float32', Float32Array.of(1e-3), []);
  feeds[ADAMW_NAMES.step] = new ort.Tensor('float32', Float32Array.of(1), []);
  return feeds;
}
