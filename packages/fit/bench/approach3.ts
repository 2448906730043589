// Approach 3 on Chinchilla's 240 runs (Epoch's protocol). Two measurements:
// 1. isoflop alone at the issue's configuration: 4,500 starts and 4,000 bootstrap resamples
//    (FIT_BENCH_RESAMPLES overrides 4000);
// 2. isoflop against scipy (approach3_scipy.py) on the same computation, smaller because scipy needs
//    minutes per few hundred starts: every FIT_BENCH_COMPARE_STRIDE-th start (default 9: 500 starts) and
//    FIT_BENCH_COMPARE_RESAMPLES resamples (default 200), with identical resamples passed on stdin.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CHINCHILLA_HUBER_DELTA,
  bootstrapParametricLaw,
  chinchillaInitGrid,
  fitParametricLaw,
  lawFromTheta,
  parametricResampleCounts,
  standardError,
  toParametricData,
  type ParametricLaw,
} from '@isoflop/fit';

const FULL_RESAMPLES = Number(process.env['FIT_BENCH_RESAMPLES'] ?? 4000);
const COMPARE_STRIDE = Number(process.env['FIT_BENCH_COMPARE_STRIDE'] ?? 9);
const COMPARE_RESAMPLES = Number(process.env['FIT_BENCH_COMPARE_RESAMPLES'] ?? 200);
const SEED = 0;
const BENCH = 'fit-approach3';

const csv = readFileSync(new URL('../fixtures/chinchilla-runs.csv', import.meta.url), 'utf8');
const runs = csv
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [n, c, loss] = line.split(',').map(Number) as [number, number, number];
    return { n, d: c / (6 * n), loss };
  })
  .sort((p, q) => p.loss - q.loss)
  .slice(0, -5);
const emit = (metric: string, value: number, unit: string, context: Record<string, unknown>) =>
  process.stdout.write(
    `${JSON.stringify({ bench: BENCH, metric, value, unit, runs: runs.length, ...context })}\n`,
  );
const ours = { implementation: 'isoflop (TypeScript, own L-BFGS)', node: process.version };
const data = toParametricData(runs);

/** Full-data fit from `inits`, then `resamples` bootstrap refits; wall seconds of each part. */
function timedFit(inits: Float64Array[], resamples: number) {
  const start = performance.now();
  const full = fitParametricLaw(data, { keepOptima: 4, inits });
  const fullSeconds = (performance.now() - start) / 1000;
  const boot = bootstrapParametricLaw(data, full, { resamples, seed: SEED, family: 0 });
  return { full, boot, fullSeconds, totalSeconds: (performance.now() - start) / 1000 };
}

const grid = chinchillaInitGrid();
const issue = timedFit(grid, FULL_RESAMPLES);
const issueContext = { ...ours, inits: grid.length, resamples: FULL_RESAMPLES };
emit('wall_time', issue.totalSeconds, 's', issueContext);
emit('full_fit_time', issue.fullSeconds, 's', issueContext);
for (const key of ['E', 'A', 'B', 'alpha', 'beta'] as const) {
  const unit = key === 'alpha' || key === 'beta' ? 'exponent' : 'coefficient';
  emit('bootstrap_se', standardError(issue.boot.map((b) => b[key])), unit, {
    ...issueContext,
    param: key,
  });
}

const inits = grid.filter((_, i) => i % COMPARE_STRIDE === 0);
const RESAMPLES = COMPARE_RESAMPLES;
const context = { inits: inits.length, resamples: RESAMPLES };
const compare = (
  metric: string,
  value: number,
  unit: string,
  extra: Record<string, unknown> = {},
) => emit(metric, value, unit, { ...context, ...extra });
const { full, boot, totalSeconds: oursSeconds, fullSeconds } = timedFit(inits, RESAMPLES);
const counts = Array.from({ length: RESAMPLES }, (_, r) =>
  Array.from(parametricResampleCounts(SEED, 0, r, runs.length)),
);
const script = fileURLToPath(new URL('approach3_scipy.py', import.meta.url));
const python = spawnSync('python3', [script], {
  input: JSON.stringify({
    n: runs.map((r) => r.n),
    d: runs.map((r) => r.d),
    loss: runs.map((r) => r.loss),
    counts,
    delta: CHINCHILLA_HUBER_DELTA,
    grid_stride: COMPARE_STRIDE,
  }),
  maxBuffer: 1 << 28,
  encoding: 'utf8',
});
if (python.status !== 0) throw new Error(`approach3_scipy.py failed: ${python.stderr}`);
const scipy = JSON.parse(python.stdout) as {
  scipy: string;
  full_seconds: number;
  total_seconds: number;
  theta: number[];
  objective: number;
  boot: { theta: number[]; objective: number }[];
};

const theirs = { implementation: `scipy ${scipy.scipy} L-BFGS-B, numpy objective` };
compare('wall_time', oursSeconds, 's', ours);
compare('wall_time', scipy.total_seconds, 's', theirs);
compare('full_fit_time', fullSeconds, 's', ours);
compare('full_fit_time', scipy.full_seconds, 's', theirs);
compare('speedup', scipy.total_seconds / oursSeconds, 'ratio', {
  reference: 'scipy wall time / isoflop wall time, same algorithm and resamples, same machine',
});

const keys = ['E', 'A', 'B', 'alpha', 'beta'] as const;
const scipyLaw = lawFromTheta(scipy.theta);
for (const key of keys)
  compare('estimate', full[key], key === 'alpha' || key === 'beta' ? 'exponent' : 'coefficient', {
    ...ours,
    param: key,
    scipy: scipyLaw[key],
  });
compare(
  'objective_relative_difference',
  (full.objective - scipy.objective) / scipy.objective,
  'ratio',
  { reference: '(isoflop − scipy) / scipy summed Huber at the full-data optimum' },
);
const scipyBoot: ParametricLaw[] = scipy.boot.map((b) => lawFromTheta(b.theta));
for (const key of keys) {
  compare(
    'bootstrap_se',
    standardError(boot.map((b) => b[key])),
    key === 'alpha' || key === 'beta' ? 'exponent' : 'coefficient',
    { ...ours, param: key },
  );
  compare(
    'bootstrap_se',
    standardError(scipyBoot.map((b) => b[key])),
    key === 'alpha' || key === 'beta' ? 'exponent' : 'coefficient',
    { ...theirs, param: key },
  );
}
// A resample "agrees" when both reach the same objective to 1e-7 relative; "ours_lower" counts resamples
// where we found a strictly better optimum than scipy.
let agree = 0;
let oursLower = 0;
boot.forEach((b, r) => {
  const other = scipy.boot[r]!.objective;
  if (Math.abs(b.objective - other) <= 1e-7 * other) agree++;
  else if (b.objective < other) oursLower++;
});
compare('resample_objective_agreement', agree / RESAMPLES, 'ratio', {
  reference:
    'fraction of resamples where isoflop and scipy reach the same summed Huber objective (1e-7 relative)',
});
compare('resample_ours_lower', oursLower / RESAMPLES, 'ratio', {
  reference: 'fraction of resamples where isoflop found a lower objective than scipy',
});
