// The adaptive decision step on a 10,000-run sweep (4 variants x 38 budgets x 50 sizes x 2 seeds, every run
// finished, losses from a known surface): the coordinator calls it after every landed result, so it
// must stay far below a second. The first call also plans the spec (cached by spec object); the figure
// is the median of the calls after it. Prints JSON lines (npm run bench -- adaptive-step).
import { performance } from 'node:perf_hooks';
import { decideAdaptiveStep, planSweep, validateSweepSpec } from '@isoflop/planner';
import { observe, type Surface } from './support/synthetic-study.js';

const SURFACE: Surface = { E: 2, A: 20, B: 20, alpha: 0.3, beta: 0.3 };
const REPEATS = 5;

function sweep(narrow: boolean) {
  return validateSweepSpec({
    name: 'bench-adaptive',
    families: {
      arm: {},
      mdm: {},
      'mdm-prime-v2': {},
      'prime-k8': { family: 'mdm-prime-v2', base: 8, objective: 'nelbo' },
    },
    budgets: { min: 1e14, max: 1e16, count: 38 },
    seeds: [0, 1],
    sizes: { count: 50, params: { min: 2e4, max: 2e6 } },
    shapeRule: { headDim: 18, aspectRatio: 32, minLayers: 1, maxLayers: 48 },
    seqLen: 64,
    batchSize: 8,
    data: { corpus: { kind: 'sotu' }, tokenizer: { kind: 'bpe', vocabSize: 512 } },
    eval: { tokens: 4096, every: 50 },
    adaptive: {
      maxExtraRuns: 1000,
      ...(narrow
        ? { narrow: { target: { quantity: 'exponent', variant: 'arm' }, width: 1e-6 } }
        : {}),
    },
  });
}

for (const narrow of [false, true]) {
  const spec = sweep(narrow);
  const planned = planSweep(spec).runs;
  const results = planned.map((run) => observe(run, SURFACE, 0.02, 0));
  decideAdaptiveStep({ spec, planned, results });
  const times: number[] = [];
  let added = 0;
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    added = decideAdaptiveStep({ spec, planned, results }).add.length;
    times.push(performance.now() - start);
  }
  times.sort((p, q) => p - q);
  process.stdout.write(
    `${JSON.stringify({ bench: 'adaptive-step', metric: 'decide_ms', value: Number(times[Math.floor(REPEATS / 2)]!.toFixed(1)), unit: 'ms', statistic: `median of ${REPEATS}`, runs: planned.length, rules: narrow ? 'bracket+overlap+narrow(200 resamples)' : 'bracket+overlap', added })}\n`,
  );
}
