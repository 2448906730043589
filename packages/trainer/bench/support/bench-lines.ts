import { availableParallelism, loadavg } from 'node:os';

export type Context = Record<string, string | number | boolean>;

/**
 * A printer of one benchmark's measurements as bench-contract JSON lines:
 * {"bench", "metric", "value", "unit", ...context}.
 */
export function benchEmitter(
  bench: string,
): (metric: string, value: number, unit: string, context?: Context) => void {
  return (metric, value, unit, context = {}) =>
    process.stdout.write(`${JSON.stringify({ bench, metric, value, unit, ...context })}\n`);
}

/** Where and under what load a figure was taken; CPU figures under load are not idle-machine figures. */
export function hostContext(): Context {
  return {
    cores: availableParallelism(),
    load_average_1m: Number((loadavg()[0] ?? 0).toFixed(2)),
  };
}
