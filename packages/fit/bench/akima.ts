// Approach 2 by each estimator on a 200-run table: 2 families x 10 budgets x 10 sizes of a Chinchilla-like
// law with 0.5% multiplicative noise, sizes lopsided around each budget's optimum. The akima estimator at
// its defaults (1,000 seed-noise draws per budget); Approach 3 is left out (its bench is approach3.ts).
// Each estimator runs REPEATS times; the median wall time is reported.
import { BootstrapRng, fitRuns, type Approach2Estimator, type RunRow } from '@isoflop/fit';

const BENCH = 'fit-akima';
const REPEATS = Number(process.env['FIT_BENCH_REPEATS'] ?? 5);
const LAW = { E: 1.9, A: 480, B: 2100, alpha: 0.35, beta: 0.37 };
const FAMILIES = { arm: 1, fast: 2 };
const BUDGETS = Array.from({ length: 10 }, (_, i) => 1e17 * 10 ** (i / 3));
const SIZES = 10;

const rng = new BootstrapRng(20261205);
const a = LAW.beta / (LAW.alpha + LAW.beta);
const g = ((LAW.alpha * LAW.A) / (LAW.beta * LAW.B)) ** (1 / (LAW.alpha + LAW.beta));
const rows: RunRow[] = Object.entries(FAMILIES).flatMap(([family, scale]) =>
  BUDGETS.flatMap((c, b) => {
    const low = -1.2 + (0.6 * b) / (BUDGETS.length - 1);
    return Array.from({ length: SIZES }, (_, i) => {
      const n = g * (c / 6) ** a * 10 ** (low + (1.8 * i) / (SIZES - 1));
      const d = c / (6 * n);
      const law = LAW.E + LAW.A / (scale * n) ** LAW.alpha + LAW.B / (scale * d) ** LAW.beta;
      return { family, n, d, c, loss: law * Math.exp(0.005 * rng.nextNormal()) };
    });
  }),
);

function medianSeconds(estimator: Approach2Estimator): { seconds: number; a: number } {
  const times: number[] = [];
  let fitted = Number.NaN;
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    const document = fitRuns(rows, { estimator, approach3: false });
    times.push((performance.now() - start) / 1000);
    fitted = document.families['arm']!.approach2!.a;
  }
  times.sort((p, q) => p - q);
  return { seconds: times[Math.floor(times.length / 2)]!, a: fitted };
}

for (const estimator of ['akima', 'parabola', 'parabola-nearest'] as const) {
  const { seconds, a: fitted } = medianSeconds(estimator);
  process.stdout.write(
    `${JSON.stringify({
      bench: BENCH,
      metric: 'approach2_wall_time',
      value: seconds,
      unit: 's',
      estimator,
      runs: rows.length,
      budgets: BUDGETS.length * Object.keys(FAMILIES).length,
      ...(estimator === 'akima' ? { draws: 1000 } : {}),
      repeats: REPEATS,
      arm_a: fitted,
      true_a: a,
      node: process.version,
    })}\n`,
  );
}
