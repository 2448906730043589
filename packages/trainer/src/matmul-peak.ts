import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import { GraphBuilder } from '@isoflop/graph';
import { createSession, type SessionSettings } from './session-options.js';

export interface MatmulDims {
  m: number;
  k: number;
  n: number;
}

export interface MatmulPeak extends MatmulDims {
  /** Best sustained fp32 FLOP/s (2·m·k·n per product) over the timed rounds. */
  flopsPerSecond: number;
  secondsPerProduct: number;
}

/**
 * Measures the fp32 MatMul throughput of this process's ORT build and threads on one [m,k]·[k,n] product,
 * the reference for MFU: the same library, the same threads and the same moment as the training step, so
 * the ratio says how much of what this machine can do the step graph achieves.
 */
export async function measureMatmulPeak(
  settings: SessionSettings,
  dims: MatmulDims,
  options: { rounds?: number; secondsPerRound?: number } = {},
): Promise<MatmulPeak> {
  const { m, k, n } = dims;
  const builder = new GraphBuilder({ dtype: 'float32', name: 'matmul-peak' });
  const a = builder.input('a', 'float32', [m, k]);
  const b = builder.input('b', 'float32', [k, n]);
  builder.output('c', builder.matmul(a, b));
  const session = await createSession(builder.toOnnxBytes(), settings, [], 'matmul peak graph');
  try {
    const feeds = {
      a: new ort.Tensor('float32', randomValues(m * k), [m, k]),
      b: new ort.Tensor('float32', randomValues(k * n), [k, n]),
    };
    for (let i = 0; i < 3; i++) await session.run(feeds);
    let best = Number.POSITIVE_INFINITY;
    const rounds = options.rounds ?? 5;
    const secondsPerRound = options.secondsPerRound ?? 0.3;
    for (let round = 0; round < rounds; round++) {
      let runs = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < secondsPerRound) {
        await session.run(feeds);
        runs++;
        elapsed = (performance.now() - start) / 1000;
      }
      best = Math.min(best, elapsed / runs);
    }
    return { m, k, n, secondsPerProduct: best, flopsPerSecond: (2 * m * k * n) / best };
  } finally {
    await session.release();
  }
}

function randomValues(size: number): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = Math.random() - 0.5;
  return values;
}
