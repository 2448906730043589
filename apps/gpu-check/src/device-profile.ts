import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Precision } from '@isoflop/models';
import { emit, type Context } from './emit.js';
import { shapeContext } from './shape-spec.js';
import { StepRunner, benchConfig, type StepBenchOptions } from './step-runner.js';

/** An event of ORT's profile file (Chrome trace format). */
interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; shapes?: string };
}

/** WebGPU names a kernel `node&operator&program`: the program is the shader that ran. */
function programOf(eventName: string): string {
  return eventName.split('&')[2] ?? eventName;
}

/** How many of the largest single kernels (by name and shapes) are printed. */
const TOP_KERNELS = 15;

/**
 * Where a device step's time goes, from ORT's profiler: on WebGPU it records each shader program's GPU
 * time from timestamp queries (events of category "Api", named by program), on the CPU each node's
 * kernel time (category "Node"). Prints the device's busy share of the wall-clock step, each program's
 * (or operator's) share of kernel time, and the largest kernels with their shapes. Profiling adds work of
 * its own; step times are measured without it by the throughput phase.
 */
export async function profileShape(
  options: StepBenchOptions & { precision: Precision },
): Promise<void> {
  const { bench, settings, precision } = options;
  const dir = mkdtempSync(join(tmpdir(), 'isoflop-device-profile-'));
  const runner = await StepRunner.open(
    benchConfig('arm', bench.shape, precision),
    bench.batchSize,
    settings,
    options.seed,
    { ...options.stepOptions, enableProfiling: true, profileFilePrefix: join(dir, 'step') },
  );
  const context: Context = {
    phase: 'profile',
    family: 'arm',
    device: settings.device,
    precision,
    ...shapeContext(bench),
    ...(options.stepOptions === undefined
      ? {}
      : { ort_options: JSON.stringify(options.stepOptions) }),
  };
  let wallSeconds = 0;
  try {
    const steps = options.warmupSteps + options.timedSteps;
    for (let step = 0; step < steps; step++) {
      const start = performance.now();
      await runner.step(step);
      if (step >= options.warmupSteps) wallSeconds += (performance.now() - start) / 1000;
    }
    runner.endProfiling();
    const file = readdirSync(dir).find((name) => name.endsWith('.json'));
    if (file === undefined) throw new Error(`ORT wrote no profile into ${dir}`);
    const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[];
    // GPU programs when the provider reports them, else the CPU's node kernels. GPU events carry no
    // run boundary, so their total is spread over every profiled step, warm-up included.
    const gpu = events.filter((e) => e.cat === 'Api' && e.dur >= 0);
    const kernels =
      gpu.length > 0
        ? gpu.map((e) => ({ name: programOf(e.name), shapes: e.args?.shapes ?? '', us: e.dur }))
        : events
            .filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'))
            .map((e) => ({ name: e.args?.op_name ?? e.name, shapes: '', us: e.dur }));
    const source = gpu.length > 0 ? 'GPU timestamp queries' : 'CPU kernel timer';
    const total = kernels.reduce((sum, k) => sum + k.us, 0);
    const kernelSecondsPerStep = total / 1e6 / steps;
    const wallPerStep = wallSeconds / options.timedSteps;
    emit('kernel_seconds_per_step', kernelSecondsPerStep, 's', { ...context, source, steps });
    emit('step_time_profiled', wallPerStep, 's', { ...context, timed_steps: options.timedSteps });
    emit('device_busy_share', kernelSecondsPerStep / wallPerStep, 'ratio', {
      ...context,
      source,
      reference: 'wall-clock step time with the profiler on',
    });
    const byName = new Map<string, { us: number; count: number }>();
    for (const k of kernels) {
      const entry = byName.get(k.name) ?? { us: 0, count: 0 };
      entry.us += k.us;
      entry.count += 1;
      byName.set(k.name, entry);
    }
    for (const [name, entry] of [...byName].sort((a, b) => b[1].us - a[1].us)) {
      emit('kernel_share', entry.us / total, 'ratio', {
        ...context,
        kernel: name,
        launches_per_step: entry.count / steps,
        source,
      });
    }
    const byShape = new Map<string, number>();
    for (const k of kernels) {
      const key = `${k.name} ${k.shapes}`;
      byShape.set(key, (byShape.get(key) ?? 0) + k.us);
    }
    const top = [...byShape].sort((a, b) => b[1] - a[1]).slice(0, TOP_KERNELS);
    for (const [key, us] of top) {
      emit('top_kernel_share', us / total, 'ratio', { ...context, kernel: key, source });
    }
  } finally {
    await runner.release();
    rmSync(dir, { recursive: true, force: true });
  }
}
