import type { Family, Precision } from '@isoflop/models';
import type { SessionSettings } from '@isoflop/trainer';
import { emit, type Context } from './emit.js';
import { shapeContext, type BenchShape } from './shape-spec.js';
import { StepRunner, benchConfig, type StepScalars } from './step-runner.js';

/**
 * Relative loss tolerance of the device against the fp32 reference over a few steps. fp32: the prototype
 * matched CPU to 1e-6; 1e-4 leaves room for another reduction order (on CUDA with TF32 off). tf32: the
 * products round their inputs to a 10-bit mantissa while activations and sums stay float32, so tighter
 * than mixed. mixed: float16 products (11-bit mantissa) and activations against fp32, the bound the
 * models package tests one step with, widened for a few steps.
 */
export const LOSS_TOLERANCE: Readonly<Record<Precision, number>> = {
  fp32: 1e-4,
  tf32: 5e-3,
  mixed: 1e-2,
};

interface Trace {
  scalars: StepScalars[];
  state: Map<string, Float32Array>;
}

async function trace(
  family: Family,
  bench: BenchShape,
  precision: Precision,
  settings: SessionSettings,
  steps: number,
  seed: number,
  context: Context,
  stepsPerRun = 1,
): Promise<Trace> {
  const runner = await StepRunner.open(
    benchConfig(family, bench.shape, precision),
    bench.batchSize,
    settings,
    seed,
    {},
    stepsPerRun,
  );
  try {
    const scalars: StepScalars[] = [];
    for (let first = 0; first < steps; first += stepsPerRun) {
      scalars.push(...(await runner.steps(first, Math.min(stepsPerRun, steps - first))));
    }
    for (const [step, result] of scalars.entries()) {
      const line = {
        ...context,
        device: settings.device,
        precision,
        step: step + 1,
        steps_per_run: stepsPerRun,
      };
      emit('loss', result.loss, 'nats/token', line);
      emit('grad_norm', result.gradNorm, 'norm', line);
    }
    return { scalars, state: await runner.read() };
  } finally {
    await runner.release();
  }
}

function maxDifference(a: readonly number[], b: readonly number[]): { abs: number; rel: number } {
  let abs = 0;
  let rel = 0;
  for (const [i, x] of a.entries()) {
    const y = b[i] as number;
    const diff = Math.abs(x - y);
    abs = Math.max(abs, diff);
    rel = Math.max(rel, diff / Math.max(Math.abs(y), Number.MIN_VALUE));
  }
  return { abs, rel };
}

function stateDifference(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let max = 0;
  for (const [name, values] of a) {
    const other = b.get(name) as Float32Array;
    for (let i = 0; i < values.length; i++) {
      max = Math.max(max, Math.abs((values[i] as number) - (other[i] as number)));
    }
  }
  return max;
}

/**
 * Trains `family` for `steps` steps from the same initial parameters and batches on the reference device
 * (fp32) and on the device (each precision), printing every step's loss and gradient norm, then the
 * largest differences against the reference, including the parameters read back from the device.
 * Returns false when a precision's losses leave its tolerance.
 */
export async function compareFamily(options: {
  family: Family;
  bench: BenchShape;
  precisions: readonly Precision[];
  device: SessionSettings;
  reference: SessionSettings;
  steps: number;
  seed: number;
  /** The device runs K steps per ONNX Runtime run (the Loop graph); the reference one. */
  stepsPerRun?: number;
}): Promise<boolean> {
  const { family, bench, steps, seed } = options;
  const context: Context = { phase: 'compare', family, ...shapeContext(bench), steps, seed };
  // The device first: when it cannot start, the check fails before spending time on the reference.
  const traces = new Map<Precision, Trace>();
  for (const precision of options.precisions) {
    traces.set(
      precision,
      await trace(
        family,
        bench,
        precision,
        options.device,
        steps,
        seed,
        { ...context, role: 'device' },
        options.stepsPerRun,
      ),
    );
  }
  const reference = await trace(family, bench, 'fp32', options.reference, steps, seed, {
    ...context,
    role: 'reference',
  });
  let agreed = true;
  for (const [precision, device] of traces) {
    const losses = maxDifference(
      device.scalars.map((s) => s.loss),
      reference.scalars.map((s) => s.loss),
    );
    const gradNorms = maxDifference(
      device.scalars.map((s) => s.gradNorm),
      reference.scalars.map((s) => s.gradNorm),
    );
    const tolerance = LOSS_TOLERANCE[precision];
    const within = losses.rel <= tolerance;
    agreed &&= within;
    const line: Context = {
      ...context,
      device: options.device.device,
      reference_device: options.reference.device,
      precision,
      reference_precision: 'fp32',
      steps_per_run: options.stepsPerRun ?? 1,
    };
    emit('loss_max_abs_diff', losses.abs, 'nats/token', line);
    emit('loss_max_rel_diff', losses.rel, 'ratio', {
      ...line,
      tolerance,
      within_tolerance: within,
    });
    emit('grad_norm_max_rel_diff', gradNorms.rel, 'ratio', line);
    emit('state_max_abs_diff', stateDifference(device.state, reference.state), 'abs', {
      ...line,
      what: 'parameters and AdamW moments read back after the last step',
    });
  }
  return agreed;
}
