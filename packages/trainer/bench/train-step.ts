// Training-step throughput on this machine: step time, tokens/s, model FLOP/s and MFU against the fp32
// MatMul peak measured in the same process, plus session-creation time and peak RSS, per shape.
// Prints JSON lines {"bench", "metric", "value", "unit", ...context}. The default shapes are the regime of
// the design's feasibility prototype (4 layers, context 256, batch 8). Env: BENCH_THREADS (default 2),
// BENCH_STEPS (timed steps, default 12), BENCH_DMODELS (default 128,256,384,512), BENCH_LAYERS (default 4),
// BENCH_SEQ (default 256), BENCH_BATCH (default 8), BENCH_SPINNING (1: let ORT's idle threads spin).
import { performance } from 'node:perf_hooks';
import { ADAMW_NAMES } from '@isoflop/graph';
import { GRAPH_OUTPUTS, buildTrainStepGraph, flopsPerStep } from '@isoflop/models';
import {
  DeviceState,
  createSession,
  initialState,
  resolveSessionSettings,
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
import { benchEmitter } from './support/bench-lines.js';

const bench = stepBenchSettings({ dModels: '128,256,384,512', timedSteps: 12 });
const { threads, timedSteps, batchSize, seqLen, vocabSize } = bench;
const settings = resolveSessionSettings({ threads, spinning: bench.spinning });
const emit = benchEmitter('train-step');

for (const dModel of bench.dModels) {
  const config = armBenchConfig(bench, dModel);
  const context = benchContext(bench, dModel);
  const graph = buildTrainStepGraph(config, batchSize, BENCH_OPTIMIZER, {
    target: settings.device,
  });
  const bindings = stateBindings(graph);
  const sessionStart = performance.now();
  const session = await createSession(
    graph.onnx,
    settings,
    bindings.map((b) => b.output),
  );
  emit('session_create', (performance.now() - sessionStart) / 1000, 's', context);

  const state = new DeviceState(session, bindings, settings);
  state.load(initialState(config, graph, 0));
  const batch = new Int32Array(batchSize * (seqLen + 1));
  for (let i = 0; i < batch.length; i++) batch[i] = (i * 7919) % vocabSize;
  const step = async (index: number): Promise<void> => {
    const feeds = toOrtFeeds(graph.feeds.train(batch, [0, index]));
    feeds[ADAMW_NAMES.lr] = new ort.Tensor('float32', Float32Array.of(1e-3), []);
    feeds[ADAMW_NAMES.step] = new ort.Tensor('float32', Float32Array.of(index + 1), []);
    await state.step(feeds, [GRAPH_OUTPUTS.loss, ADAMW_NAMES.gradNorm]);
  };
  for (let i = 0; i < 2; i++) await step(i);
  // The reference: the step's largest product shape ([tokens, d]·[d, ffn]), timed in rounds interleaved
  // with the steps so both see the same load; best of each, since on shared cores the median measures
  // someone else's work.
  const probe = await largestProductProbe(bench, settings, dModel);
  let best = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  let total = 0;
  for (let i = 0; i < timedSteps; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await step(2 + i);
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
    best = Math.min(best, seconds);
    total += seconds;
    await probe.round(Math.min(0.5, seconds));
  }
  const peak = probe.result();
  await probe.release();
  await state.release();
  await session.release();

  const flops = flopsPerStep(config, batchSize);
  const tokens = batchSize * seqLen;
  emit('step_time', best, 's', { ...context, statistic: 'best', steps: timedSteps });
  emit('step_time_mean', total / timedSteps, 's', { ...context, steps: timedSteps });
  emit('step_cpu_time', bestCpu, 'cpu-s', { ...context, statistic: 'best', steps: timedSteps });
  emit('tokens_per_second', tokens / best, 'tokens/s', context);
  emit('model_flops_per_second', flops / best, 'FLOP/s', {
    ...context,
    flops_per_step: flops,
    counting: '6·(non-embedding + head weights)·tokens + 12·n_layers·seq_len·d_model·tokens',
  });
  emit('matmul_peak', peak.flopsPerSecond, 'FLOP/s', {
    ...context,
    m: peak.m,
    k: peak.k,
    n: peak.n,
  });
  emit('mfu', flops / best / peak.flopsPerSecond, 'ratio', {
    ...context,
    reference: `fp32 matmul peak, same process (${productName(peak)})`,
  });
  // The same ratio in CPU time: FLOPs per CPU-second of the step over those of the MatMul. Other processes'
  // load inflates wall time but not our CPU time, so on shared cores this is the closer estimate of idle MFU.
  emit('mfu_cpu_time', flops / bestCpu / peak.flopsPerCpuSecond, 'ratio', {
    ...context,
    reference: `fp32 matmul FLOPs per CPU-second, same process (${productName(peak)})`,
  });
}
emit('peak_rss', process.resourceUsage().maxRSS * 1024, 'bytes', { threads, device: 'cpu' });
