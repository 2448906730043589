import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import { GraphBuilder, toFloat16Bits } from '@isoflop/graph';
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
  ) {}

  static async create(
    settings: SessionSettings,
    dims: MatmulDims,
    dtype: MatmulDType = 'float32',
  ): Promise<MatmulProbe> {
    const { m, k, n } = dims;
    // A chain of up and down projections, [m,k]·[k,n] then [m,n]·[n,k], like the step's MLP: each run does
    // PRODUCTS_PER_RUN products and returns one [m,k] tensor, so copying the output to JavaScript (which
    // would dominate a single small product) is paid once per several products.
    const builder = new GraphBuilder({ dtype, name: 'matmul-peak' });
    const x = builder.input('x', dtype, [m, k]);
    const up = builder.input('up', dtype, [k, n]);
    const down = builder.input('down', dtype, [n, k]);
    let h = x;
    for (let i = 0; i < PRODUCTS_PER_RUN / 2; i++) h = builder.matmul(builder.matmul(h, up), down);
    builder.output('y', h);
    const session = await createSession(builder.toOnnxBytes(), settings, [], 'matmul peak graph');
    const tensor = (values: Float32Array, shape: number[]): ort.Tensor =>
      dtype === 'float16'
        ? new ort.Tensor('float16', Uint16Array.from(values, toFloat16Bits), shape)
        : new ort.Tensor('float32', values, shape);
    const probe = new MatmulProbe(dims, dtype, session, {
      x: tensor(randomValues(m * k, 1), [m, k]),
      // Scaled so activations keep their size along the chain (no overflow, no denormals).
      up: tensor(randomValues(k * n, Math.sqrt(3 / k)), [k, n]),
      down: tensor(randomValues(n * k, Math.sqrt(3 / n)), [n, k]),
    });
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
