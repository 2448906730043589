// Where a training step's time goes. Two measurements in one process:
// - without profiling, best-of-N step times fetching the whole updated state against fetching the loss only
//   (the same kernels run either way): the difference is the Node binding copying every updated parameter
//   and moment into fresh JavaScript buffers, as a share of the step;
// - with ONNX Runtime's profiler on (which slows every kernel a little), the share of kernel time per kind
//   of operator (matrix products, element-wise arithmetic, reductions and softmax, data movement), and the
//   share of ORT's run spent outside its kernels.
// Prints JSON lines {"bench", "metric", "value", "unit", ...context}. Env: BENCH_DMODELS (default 256),
// BENCH_LAYERS (4), BENCH_SEQ (256), BENCH_BATCH (8), BENCH_THREADS (2), BENCH_STEPS (8), BENCH_SPINNING.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ADAMW_NAMES } from '@isoflop/graph';
import {
  GRAPH_OUTPUTS,
  buildTrainStepGraph,
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
  stepBenchSettings,
} from './step-bench/settings.js';
import { benchEmitter } from './support/bench-lines.js';

const bench = stepBenchSettings({ dModels: '256', timedSteps: 8 });
const { threads, timedSteps, batchSize, seqLen, vocabSize } = bench;
const emit = benchEmitter('step-profile');
const WARMUP_STEPS = 2;

/** Operator kinds: what each costs per element differs, and only the first is counted as model FLOPs. */
const KINDS: Record<string, readonly string[]> = {
  matmul: ['MatMul', 'FusedMatMul', 'Gemm'],
  reduction: ['ReduceSum', 'ReduceMean', 'ReduceSumSquare', 'ReduceMax', 'Softmax', 'LogSoftmax'],
  data_movement: [
    'Transpose',
    'Slice',
    'Split',
    'Concat',
    'Reshape',
    'Expand',
    'Gather',
    'GatherElements',
    'ScatterND',
    'ScatterElements',
    'Unsqueeze',
    'Squeeze',
    'Cast',
  ],
};

function kindOf(opType: string): string {
  for (const [kind, ops] of Object.entries(KINDS)) if (ops.includes(opType)) return kind;
  return 'elementwise';
}

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}

for (const dModel of bench.dModels) {
  const config = armBenchConfig(bench, dModel);
  const context = benchContext(bench, dModel);
  const graph = buildTrainStepGraph(config, batchSize, BENCH_OPTIMIZER);
  const feeds = stepFeeds(config, graph);
  const options = sessionOptions(resolveSessionSettings({ threads, spinning: bench.spinning }), []);

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
  for (let i = 0; i < WARMUP_STEPS + timedSteps; i++) await profiled.run(feeds);
  profiled.endProfiling();
  await profiled.release();
  const file = readdirSync(profileDir).find((name) => name.endsWith('.json'));
  if (file === undefined) throw new Error(`ORT wrote no profile into ${profileDir}`);
  const events = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as ProfileEvent[];
  rmSync(profileDir, { recursive: true, force: true });

  // Only the timed steps: from the first model_run after the warm-up ones.
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const firstTimed = runs[WARMUP_STEPS]?.ts ?? 0;
  const runUs = runs.slice(WARMUP_STEPS).reduce((sum, e) => sum + e.dur, 0);
  const byKind = new Map<string, number>();
  let kernelUs = 0;
  for (const e of events) {
    if (e.ts < firstTimed || e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const kind = kindOf(e.args?.op_name ?? '');
    byKind.set(kind, (byKind.get(kind) ?? 0) + e.dur);
    kernelUs += e.dur;
  }
  for (const kind of ['matmul', 'elementwise', 'reduction', 'data_movement']) {
    emit('kernel_share', (byKind.get(kind) ?? 0) / kernelUs, 'ratio', {
      ...context,
      kind,
      reference: 'kernel time (ORT profiler)',
      ops: KINDS[kind]?.join(' ') ?? 'every other operator',
    });
  }
  emit('ort_overhead_share', (runUs - kernelUs) / runUs, 'ratio', {
    ...context,
    reference: 'ORT run time (profiler)',
    what: "ORT's run outside its kernels (scheduling, allocation)",
  });
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
