import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import { GraphBuilder, toFloat16Bits } from '@isoflop/graph';
import { DeviceCopy } from './device-copy.js';
import { createSession, type SessionSettings } from './session-options.js';

const PRODUCTS_PER_RUN = 8;

export interface MatmulDims {
  m: number;
  k: number;
  n: number;
}

/** Element type of the probe's products: float16 is the reference for the mixed-precision path. */
export type MatmulDType = 'float32' | 'float16';

export interface MatmulPeak extends MatmulDims {
  dtype: MatmulDType;
  /** Best sustained FLOP/s (2·m·k·n per product) over the timed rounds. */
  flopsPerSecond: number;
  secondsPerProduct: number;
  /**
   * Best FLOPs per second of this process's CPU time (user + system, all threads): unlike wall time it does
   * not count the moments other processes held the cores, so it stays meaningful on a loaded machine.
   */
  flopsPerCpuSecond: number;
}

/**
 * One fp32 [m,k]·[k,n] MatMul session, the reference for MFU: the same ORT build, threads and moment as
 * the training step, so the ratio says how much of what this machine can do the step graph achieves.
 * Rounds can be interleaved with the measured work, so that both see the same load on shared cores.
 */
export class MatmulProbe {
  private best = Number.POSITIVE_INFINITY;
  private bestCpu = Number.POSITIVE_INFINITY;

  private constructor(
    readonly dims: MatmulDims,
    readonly dtype: MatmulDType,
    private readonly session: ort.InferenceSession,
    private readonly feeds: Record<string, ort.Tensor>,
    /** On WebGPU, the session that uploaded the feeds (their buffers' owner), released after them. */
    private readonly upload: DeviceCopy | undefined,
  ) {}

  static async create(
    settings: SessionSettings,
    dims: MatmulDims,
    dtype: MatmulDType = 'float32',
  ): Promise<MatmulProbe> {
    const { m, k, n } = dims;
    // A chain of up and down projections, [m,k]·[k,n] then [m,n]·[n,k], like the step's MLP: each run does
    // PRODUCTS_PER_RUN products and returns only their mean, a scalar whose read-back waits for a device
    // to finish and costs nothing to copy.
    const builder = new GraphBuilder({ dtype, name: 'matmul-peak' });
    const shapes = { x: [m, k], up: [k, n], down: [n, k] };
    const x = builder.input('x', dtype, shapes.x);
    const up = builder.input('up', dtype, shapes.up);
    const down = builder.input('down', dtype, shapes.down);
    let h = x;
    for (let i = 0; i < PRODUCTS_PER_RUN / 2; i++) h = builder.matmul(builder.matmul(h, up), down);
    builder.output('y', builder.reduceMean(h));
    const session = await createSession(builder.toOnnxBytes(), settings, [], 'matmul peak graph');
    const tensor = (values: Float32Array, shape: number[]): ort.Tensor =>
      dtype === 'float16'
        ? new ort.Tensor('float16', Uint16Array.from(values, toFloat16Bits), shape)
        : new ort.Tensor('float32', values, shape);
    let feeds = new Map([
      ['x', tensor(randomValues(m * k, 1), shapes.x)],
      // Scaled so activations keep their size along the chain (no overflow, no denormals).
      ['up', tensor(randomValues(k * n, Math.sqrt(3 / k)), shapes.up)],
      ['down', tensor(randomValues(n * k, Math.sqrt(3 / n)), shapes.down)],
    ]);
    let upload: DeviceCopy | undefined;
    if (settings.device === 'webgpu') {
      // Uploaded once, as the step's state is: a host feed would be copied to the GPU on every run.
      upload = await DeviceCopy.create(
        settings,
        [...feeds].map(([name, t]) => ({ name, dtype, dims: t.dims })),
        'to-device',
      );
      feeds = await upload.copy(feeds);
    }
    const probe = new MatmulProbe(dims, dtype, session, Object.fromEntries(feeds), upload);
    for (let i = 0; i < 3; i++) await session.run(probe.feeds);
    return probe;
  }

  /** Runs products for about `seconds` and keeps the best time per product seen so far. */
  async round(seconds: number): Promise<void> {
    let runs = 0;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < seconds) {
      await this.session.run(this.feeds);
      runs++;
      elapsed = (performance.now() - start) / 1000;
    }
    const cpu = process.cpuUsage(cpuStart);
    this.best = Math.min(this.best, elapsed / (runs * PRODUCTS_PER_RUN));
    this.bestCpu = Math.min(
      this.bestCpu,
      (cpu.user + cpu.system) / 1e6 / (runs * PRODUCTS_PER_RUN),
    );
  }

  result(): MatmulPeak {
    const { m, k, n } = this.dims;
    return {
      m,
      k,
      n,
      dtype: this.dtype,
      secondsPerProduct: this.best,
      flopsPerSecond: (2 * m * k * n) / this.best,
      flopsPerCpuSecond: (2 * m * k * n) / this.bestCpu,
    };
  }

  async release(): Promise<void> {
    await this.session.release();
    if (this.upload !== undefined) {
      for (const tensor of Object.values(this.feeds)) tensor.dispose();
      await this.upload.release();
    }
  }
}

/** The MatMul peak of one shape: the best of `rounds` rounds of about `secondsPerRound` each. */
export async function measureMatmulPeak(
  settings: SessionSettings,
  dims: MatmulDims,
  options: { rounds?: number; secondsPerRound?: number; dtype?: MatmulDType } = {},
): Promise<MatmulPeak> {
  const probe = await MatmulProbe.create(settings, dims, options.dtype);
  try {
    for (let round = 0; round < (options.rounds ?? 5); round++) {
      await probe.round(options.secondsPerRound ?? 0.3);
    }
    return probe.result();
  } finally {
    await probe.release();
  }
}

/** Uniform in [-scale, scale]: variance scale²/3. */
function randomValues(size: number, scale: number): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (2 * Math.random() - 1) * scale;
  return values;
}
