// Approach 3 with a 4,000-resample bootstrap on Chinchilla's 240 runs (Epoch's protocol), timed against
// the same computation in scipy (approach3_scipy.py, same starts and resamples). FIT_BENCH_RESAMPLES
// overrides 4000 and FIT_BENCH_GRID_STRIDE=k keeps every k-th of the 4,500 starts, for slow machines.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CHINCHILLA_HUBER_DELTA,
  chinchillaInitGrid,
  bootstrapParametricLaw,
  fitParametricLaw,
  lawFromTheta,
  parametricResampleCounts,
  standardError,
  toParametricData,
  type ParametricLaw,
} from '@isoflop/fit';

const RESAMPLES = Number(process.env['FIT_BENCH_RESAMPLES'] ?? 4000);
const GRID_STRIDE = Number(process.env['FIT_BENCH_GRID_STRIDE'] ?? 1);
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
const inits = chinchillaInitGrid().filter((_, i) => i % GRID_STRIDE === 0);
const context = { runs: runs.length, resamples: RESAMPLES, inits: inits.length };
const emit = (metric: string, value: number, unit: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(
    `${JSON.stringify({ bench: BENCH, metric, value, unit, ...context, ...extra })}\n`,
  );

const data = toParametricData(runs);
const start = performance.now();
const full = fitParametricLaw(data, { keepOptima: 4, inits });
const fullSeconds = (performance.now() - start) / 1000;
const boot = bootstrapParametricLaw(data, full, { resamples: RESAMPLES, seed: SEED, family: 0 });
const oursSeconds = (performance.now() - start) / 1000;

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
    grid_stride: GRID_STRIDE,
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

const ours = { implementation: 'isoflop (TypeScript, own L-BFGS)', node: process.version };
const theirs = { implementation: `scipy ${scipy.scipy} L-BFGS-B, numpy objective` };
emit('wall_time', oursSeconds, 's', ours);
emit('wall_time', scipy.total_seconds, 's', theirs);
emit('full_fit_time', fullSeconds, 's', ours);
emit('full_fit_time', scipy.full_seconds, 's', theirs);
emit('speedup', scipy.total_seconds / oursSeconds, 'ratio', {
  reference: 'scipy wall time / isoflop wall time, same algorithm and resamples, same machine',
});

const keys = ['E', 'A', 'B', 'alpha', 'beta'] as const;
const scipyLaw = lawFromTheta(scipy.theta);
for (const key of keys)
  emit('estimate', full[key], key === 'alpha' || key === 'beta' ? 'exponent' : 'coefficient', {
    ...ours,
    param: key,
    scipy: scipyLaw[key],
  });
emit(
  'objective_relative_difference',
  (full.objective - scipy.objective) / scipy.objective,
  'ratio',
  { reference: '(isoflop − scipy) / scipy summed Huber at the full-data optimum' },
);
const scipyBoot: ParametricLaw[] = scipy.boot.map((b) => lawFromTheta(b.theta));
for (const key of keys) {
  emit(
    'bootstrap_se',
    standardError(boot.map((b) => b[key])),
    key === 'alpha' || key === 'beta' ? 'exponent' : 'coefficient',
    { ...ours, param: key },
  );
  emit(
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
emit('resample_objective_agreement', agree / RESAMPLES, 'ratio', {
  reference:
    'fraction of resamples where isoflop and scipy reach the same summed Huber objective (1e-7 relative)',
});
emit('resample_ours_lower', oursLower / RESAMPLES, 'ratio', {
  reference: 'fraction of resamples where isoflop found a lower objective than scipy',
});
