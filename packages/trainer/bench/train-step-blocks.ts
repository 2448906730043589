// K optimizer steps per ONNX Runtime run against one step per run, on this machine's CPU: time per step of
// the plain step graph and of its ONNX Loop over blocks of K steps (`blockGraphOf`), both sessions in this
// process, measured in alternating rounds so they see the same load. Prints JSON lines
// {"bench": "train-step-blocks", "metric", "value", "unit", ...context}. Env as train-step (BENCH_THREADS,
// BENCH_DMODELS default 128,256, BENCH_LAYERS, BENCH_SEQ, BENCH_BATCH, BENCH_SPINNING), plus
// BENCH_BLOCK_STEPS (K values, default 8) and BENCH_ROUNDS (timed rounds of K steps each, default 4).
import { performance } from 'node:perf_hooks';
import { ADAMW_NAMES } from '@isoflop/graph';
import { GRAPH_OUTPUTS, buildTrainStepGraph, type Feeds } from '@isoflop/models';
import {
  DeviceState,
  blockGraphOf,
  createSession,
  initialState,
  resolveSessionSettings,
  stackFeeds,
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

const bench = stepBenchSettings({ dModels: '128,256', timedSteps: 0 });
const blockSteps = (process.env['BENCH_BLOCK_STEPS'] ?? '8').split(',').map(Number);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 4);
const { threads, batchSize, seqLen, vocabSize } = bench;
const settings = resolveSessionSettings({ threads, spinning: bench.spinning });
const emit = benchEmitter('train-step-blocks');
const fetches = [GRAPH_OUTPUTS.loss, ADAMW_NAMES.gradNorm];

for (const dModel of bench.dModels) {
  const config = armBenchConfig(bench, dModel);
  const graph = buildTrainStepGraph(config, batchSize, BENCH_OPTIMIZER, {
    target: settings.device,
  });
  const bindings = stateBindings(graph);
  const outputs = bindings.map((b) => b.output);
  const batch = new Int32Array(batchSize * (seqLen + 1));
  for (let i = 0; i < batch.length; i++) batch[i] = (i * 7919) % vocabSize;
  const feedsOf = (step: number): Feeds => graph.feeds.train(batch, [0, step]);

  const singleSession = await createSession(graph.onnx, settings, outputs);
  const single = new DeviceState(singleSession, bindings, settings);
  single.load(initialState(config, graph, 0));
  const oneStep = async (step: number): Promise<void> => {
    const feeds = toOrtFeeds(feedsOf(step));
    feeds[ADAMW_NAMES.lr] = new ort.Tensor('float32', Float32Array.of(1e-3), []);
    feeds[ADAMW_NAMES.step] = new ort.Tensor('float32', Float32Array.of(step + 1), []);
    await single.run(feeds, fetches);
  };

  for (const k of blockSteps) {
    const context = { ...benchContext(bench, dModel), steps_per_run: k };
    const sessionStart = performance.now();
    const loopSession = await createSession(blockGraphOf(graph, bindings), settings, outputs);
    emit('session_create', (performance.now() - sessionStart) / 1000, 's', context);
    const looped = new DeviceState(loopSession, bindings, settings);
    looped.load(initialState(config, graph, 0));
    const block = async (first: number): Promise<void> => {
      const perStep = Array.from({ length: k }, (_, i) => feedsOf(first + i));
      const feeds = toOrtFeeds(stackFeeds(perStep));
      feeds[ADAMW_NAMES.lr] = new ort.Tensor('float32', new Float32Array(k).fill(1e-3), [k]);
      feeds[ADAMW_NAMES.step] = new ort.Tensor('float32', Float32Array.of(first + 1), []);
      await looped.run(feeds, fetches);
    };
    // Warm-up, then alternating rounds of K single steps and one block of K steps; best round of each.
    await block(0);
    for (let i = 0; i < 2; i++) await oneStep(i);
    const best = { single: Infinity, block: Infinity, singleCpu: Infinity, blockCpu: Infinity };
    for (let round = 0; round < rounds; round++) {
      const first = k * (round + 1);
      let cpu = process.cpuUsage();
      let start = performance.now();
      for (let i = 0; i < k; i++) await oneStep(first + i);
      best.single = Math.min(best.single, (performance.now() - start) / 1000 / k);
      let used = process.cpuUsage(cpu);
      best.singleCpu = Math.min(best.singleCpu, (used.user + used.system) / 1e6 / k);
      cpu = process.cpuUsage();
      start = performance.now();
      await block(first);
      best.block = Math.min(best.block, (performance.now() - start) / 1000 / k);
      used = process.cpuUsage(cpu);
      best.blockCpu = Math.min(best.blockCpu, (used.user + used.system) / 1e6 / k);
    }
    await looped.release();
    await loopSession.release();
    const stats = { ...context, statistic: 'best round', rounds };
    emit('step_time_single', best.single, 's', stats);
    emit('step_time_block', best.block, 's', stats);
    emit('step_cpu_time_single', best.singleCpu, 'cpu-s', stats);
    emit('step_cpu_time_block', best.blockCpu, 'cpu-s', stats);
    emit('speedup', best.single / best.block, 'ratio', {
      ...stats,
      reference: 'time per step, one step per run / K steps per run, same process',
    });
    emit('tokens_per_second_block', (batchSize * seqLen) / best.block, 'tokens/s', stats);
  }
  await single.release();
  await singleSession.release();
}
emit('peak_rss', process.resourceUsage().maxRSS * 1024, 'bytes', { threads, device: 'cpu' });
