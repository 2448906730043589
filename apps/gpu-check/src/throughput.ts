import { performance } from 'node:perf_hooks';
import { flopsPerStep, type Precision } from '@isoflop/models';
import {
  MatmulProbe,
  measureMatmulPeak,
  TF32_OVERRIDE,
  TrainerError,
  type MatmulDType,
  type SessionSettings,
} from '@isoflop/trainer';
import { emit, hostContext, type Context } from './emit.js';
import { shapeContext } from './shape-spec.js';
import { StepRunner, benchConfig, type StepBenchOptions, type StepScalars } from './step-runner.js';

// tf32 probes float32 products: the process's TF32 switch applies to the probe as to the step.
const PROBE_DTYPE: Readonly<Record<Precision, MatmulDType>> = {
  fp32: 'float32',
  tf32: 'float32',
  mixed: 'float16',
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** A device that cannot start fails the whole check; anything else (an fp16 kernel missing) is a skip. */
function deviceUnavailable(error: unknown): boolean {
  return error instanceof TrainerError && error.code === 'DEVICE_UNAVAILABLE';
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? '';
}

/**
 * The provider's own MatMul peak on square products ([n,n]·[n,n], the prototype measured 4096²), fp32 and
 * fp16, in this process: the ceiling the targets are stated against.
 */
export async function measurePeaks(
  settings: SessionSettings,
  size: number,
  rounds: { rounds: number; secondsPerRound: number },
): Promise<void> {
  for (const dtype of ['float32', 'float16'] as const) {
    const context: Context = {
      phase: 'peak',
      device: settings.device,
      dtype,
      // On CUDA the float32 peak depends on the process's TF32 switch.
      ...(settings.device === 'cuda'
        ? { tf32: process.env[TF32_OVERRIDE] === '0' ? 'off' : 'on' }
        : {}),
      m: size,
      k: size,
      n: size,
    };
    try {
      const peak = await measureMatmulPeak(
        settings,
        { m: size, k: size, n: size },
        { dtype, ...rounds },
      );
      emit('matmul_peak', peak.flopsPerSecond, 'FLOP/s', { ...context, ...hostContext() });
    } catch (error) {
      if (deviceUnavailable(error)) throw error;
      emit('skipped', 0, 'count', { ...context, reason: errorText(error) });
    }
  }
}

/**
 * ARM training-step throughput of one shape for each precision: median step time over `timedSteps` steps
 * after `warmupSteps` (shader compilation makes the first steps slow), tokens/s, model FLOP/s
 * (`flopsPerStep`, the trainer's count) and its ratio to the MatMul peak of the step's largest product
 * shape in the precision's dtype, timed in rounds interleaved with the steps. When fp32 and mixed both
 * ran, also the mixed path's speedup.
 */
export async function benchmarkShape(
  options: StepBenchOptions & { precisions: readonly Precision[] },
): Promise<void> {
  const { bench, settings } = options;
  const tokens = bench.batchSize * bench.shape.seqLen;
  // K steps per run: each timed unit is one run of K steps, reported per step.
  const k = options.stepsPerRun ?? 1;
  const tokensPerSecond = new Map<Precision, number>();
  for (const precision of options.precisions) {
    const config = benchConfig('arm', bench.shape, precision);
    const context: Context = {
      phase: 'throughput',
      impl: 'isoflop-ort',
      family: 'arm',
      device: settings.device,
      precision,
      ...shapeContext(bench),
      threads: settings.threads,
      steps_per_run: k,
      ...(options.stepOptions === undefined
        ? {}
        : { ort_options: JSON.stringify(options.stepOptions) }),
    };
    const runner = await StepRunner.open(
      config,
      bench.batchSize,
      settings,
      options.seed,
      options.stepOptions,
      k,
    );
    let probe: MatmulProbe | undefined;
    try {
      emit('graph_build', runner.setupSeconds.graph, 's', context);
      emit('session_create', runner.setupSeconds.session, 's', context);
      let last = { loss: Number.NaN, gradNorm: Number.NaN };
      const run = async (unit: number) => (await runner.steps(unit * k, k)).at(-1) as StepScalars;
      for (let unit = 0; unit < options.warmupSteps; unit++) last = await run(unit);
      const dims = { m: tokens, k: bench.shape.dModel, n: bench.shape.ffnHidden };
      try {
        probe = await MatmulProbe.create(settings, dims, PROBE_DTYPE[precision]);
      } catch (error) {
        if (deviceUnavailable(error)) throw error;
        emit('skipped', 0, 'count', { ...context, what: 'matmul peak', reason: errorText(error) });
      }
      const seconds: number[] = [];
      for (let i = 0; i < options.timedSteps; i++) {
        const start = performance.now();
        last = await run(options.warmupSteps + i);
        const elapsed = (performance.now() - start) / 1000;
        seconds.push(elapsed / k);
        await probe?.round(Math.min(0.5, elapsed));
      }
      const step = median(seconds);
      const flops = flopsPerStep(config, bench.batchSize);
      const timed = { ...context, ...hostContext(), timed_steps: options.timedSteps };
      emit('step_time', step, 's', { ...timed, statistic: 'median' });
      emit('step_time_best', Math.min(...seconds), 's', timed);
      emit('tokens_per_second', tokens / step, 'tokens/s', timed);
      emit('model_flops_per_second', flops / step, 'FLOP/s', {
        ...timed,
        flops_per_step: flops,
        counting: '6·(non-embedding + head weights)·tokens + 12·n_layers·seq_len·d_model·tokens',
      });
      emit('last_loss', last.loss, 'nats/token', {
        ...context,
        finite: Number.isFinite(last.loss),
      });
      tokensPerSecond.set(precision, tokens / step);
      if (probe !== undefined) {
        const peak = probe.result();
        const reference = `${peak.dtype} matmul peak, same process ([${peak.m},${peak.k}]·[${peak.k},${peak.n}])`;
        emit('matmul_peak', peak.flopsPerSecond, 'FLOP/s', {
          ...timed,
          dtype: peak.dtype,
          ...dims,
        });
        emit('mfu', flops / step / peak.flopsPerSecond, 'ratio', { ...timed, reference });
      }
    } finally {
      await probe?.release();
      await runner.release();
    }
  }
  const fp32 = tokensPerSecond.get('fp32');
  const mixed = tokensPerSecond.get('mixed');
  if (fp32 !== undefined && mixed !== undefined) {
    emit('mixed_speedup', mixed / fp32, 'ratio', {
      phase: 'throughput',
      device: settings.device,
      ...shapeContext(bench),
      reference: 'tokens/s of the mixed path over the fp32 path, same process',
      target: 2,
    });
  }
}
