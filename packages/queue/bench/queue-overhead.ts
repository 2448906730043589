// Queue costs: planning and enqueueing a 10,000-run sweep, and the per-run orchestration overhead (enqueue,
// pick-up, 100 progress events, completion, the coordinator's event feed) as a fraction of a 60 s run.
// Starts its own redis-server. Prints JSON lines {"bench","metric","value","unit",...context}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseSweepSpec, planSweep, type RunResult, type RunSpec } from '@isoflop/planner';
import { Worker } from 'bullmq';
import {
  redisOptionsFromUrl,
  startLocalRedis,
  TrainQueue,
  watchTrainQueue,
  type TrainJobPayload,
} from '../src/index.js';

const emit = (
  metric: string,
  value: number,
  unit: string,
  context: Record<string, unknown>,
): void => {
  process.stdout.write(`${JSON.stringify({ bench: 'queue', metric, value, unit, ...context })}\n`);
};

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

const dir = mkdtempSync(join(tmpdir(), 'isoflop-queue-bench-'));
const redis = await startLocalRedis(join(dir, 'redis'));
try {
  // 10 budgets x 20 sizes x 50 seeds.
  const spec = parseSweepSpec(`
name: bench-10k
families: { arm: {} }
budgets: { min: 1.0e+17, max: 1.0e+19, count: 10 }
sizes: { count: 20, tokensPerParam: { min: 1, max: 10000 } }
seqLen: 1024
batchSize: 64
data: { corpus: { kind: sotu }, tokenizer: { kind: gpt2 } }
eval: { tokens: 65536, every: 500 }
seeds: [${Array.from({ length: 50 }, (_, i) => i).join(', ')}]
`);
  let start = performance.now();
  let cpu = process.cpuUsage();
  const plan = planSweep(spec);
  const planSeconds = (performance.now() - start) / 1000;
  const planCpu = cpuSeconds(cpu);
  const queue = new TrainQueue({ redisUrl: redis.url, prefix: 'bench-enqueue' });
  start = performance.now();
  cpu = process.cpuUsage();
  await queue.enqueue(plan.runs);
  const enqueueSeconds = (performance.now() - start) / 1000;
  // cpu_s: this process's CPU time; on a shared machine wall time also counts waiting for a core.
  emit('plan_sweep', planSeconds, 's', { runs: plan.runs.length, cpu_s: planCpu });
  emit('enqueue_sweep', enqueueSeconds, 's', { runs: plan.runs.length, cpu_s: cpuSeconds(cpu) });
  emit('plan_and_enqueue_sweep', planSeconds + enqueueSeconds, 's', {
    runs: plan.runs.length,
    target_s: 5,
  });
  await queue.obliterate();
  await queue.close();

  // Per-run overhead: jobs whose processor does no training but reports 100 progress events (what the
  // trainer sends per run) and returns a result; the coordinator's watcher sees every completion.
  const RUNS = 100;
  const PROGRESS = 100;
  const location = { redisUrl: redis.url, prefix: 'bench-overhead' };
  const runs: RunSpec[] = plan.runs.slice(0, RUNS);
  const overheadQueue = new TrainQueue(location);
  let completed = 0;
  let allDone: () => void = () => undefined;
  const finished = new Promise<void>((r) => (allDone = r));
  const watch = watchTrainQueue(location, {
    onEvent: (event) => {
      if (event.type === 'completed' && ++completed === RUNS) allDone();
    },
  });
  await watch.ready();
  const worker = new Worker<TrainJobPayload, RunResult>(
    'isoflop-train',
    async (job) => {
      const { run } = job.data;
      for (let step = 1; step <= PROGRESS; step++) {
        await job.updateProgress({
          kind: 'train',
          runId: run.id,
          step,
          steps: PROGRESS,
          tokens: step,
          loss: 3,
          lr: 1e-4,
          tokensPerSecond: 1,
          gradNorm: 1,
        });
      }
      return {
        runId: run.id,
        family: run.family,
        valLoss: 3,
        valLossStdErr: 0.01,
        finalTrainLoss: 3,
        steps: PROGRESS,
        tokens: PROGRESS,
        wallSeconds: 0,
        tokensPerSecond: 0,
      };
    },
    { connection: redisOptionsFromUrl(redis.url), prefix: location.prefix, concurrency: 1 },
  );
  start = performance.now();
  await overheadQueue.enqueue(runs);
  await finished;
  const perRun = (performance.now() - start) / 1000 / RUNS;
  emit('per_run_queue_overhead', perRun * 1000, 'ms/run', {
    runs: RUNS,
    progress_events: PROGRESS,
    concurrency: 1,
  });
  emit('orchestration_overhead_fraction', perRun / 60, 'ratio', {
    of: 'queue time per run (enqueue, pick-up, 100 progress events, completion, event feed) / 60 s run wall time',
    target: 0.01,
  });
  await worker.close();
  await watch.close();
  await overheadQueue.obliterate();
  await overheadQueue.close();
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
