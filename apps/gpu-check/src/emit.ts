import { availableParallelism, loadavg } from 'node:os';

export type Context = Record<string, string | number | boolean>;

export const BENCH_NAME = 'gpu-check';

/** One gpu-check measurement as a bench-contract JSON line: {"bench", "metric", "value", "unit", ...context}. */
export function emit(metric: string, value: number, unit: string, context: Context = {}): void {
  process.stdout.write(
    `${JSON.stringify({ bench: BENCH_NAME, metric, value, unit, ...context })}\n`,
  );
}

/** Where and under what load a figure was taken; CPU figures under load are not idle-machine figures. */
export function hostContext(): Context {
  return {
    cores: availableParallelism(),
    load_average_1m: Number((loadavg()[0] ?? 0).toFixed(2)),
  };
}
