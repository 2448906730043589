import { benchEmitter } from '../support/bench-lines.js';

export { hostContext, type Context } from '../support/bench-lines.js';

export const BENCH_NAME = 'gpu-check';

/** One gpu-check measurement as a bench-contract JSON line. */
export const emit = benchEmitter(BENCH_NAME);
