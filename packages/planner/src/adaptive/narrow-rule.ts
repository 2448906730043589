import {
  fitIsoflopExponents,
  fitParabola,
  percentileInterval,
  resampleCounts,
  sharedLosses,
  streamRng,
  nameKey,
  powerLawCompute,
  type BudgetGroup,
  type IsoflopRow,
} from '@isoflop/fit';
import type { SweepContext, Variant } from '../internal/sweep-context.js';
import type { ObservedRun } from './adaptive-types.js';
import { sizeStep } from './bracket-rule.js';
import type { Proposer } from './proposer.js';
import { ladderRule, nextSize, type LadderSize } from './size-ladder.js';

/** Fixed seed of the narrowing rule's bootstrap, so the same inputs always give the same choice. */
const BOOTSTRAP_SEED = 16;

interface Point {
  budgetFlops: number;
  params: number;
  loss: number;
}

/** One variant's finished runs grouped by budget, ready for Approach 2. */
interface Table {
  rows: IsoflopRow[];
  groups: BudgetGroup[];
}

function tableOf(points: readonly Point[]): Table {
  const rows: IsoflopRow[] = [];
  const byBudget = new Map<number, number[]>();
  for (const p of points) {
    byBudget.set(p.budgetFlops, [...(byBudget.get(p.budgetFlops) ?? []), rows.length]);
    rows.push({ n: p.params, loss: p.loss });
  }
  const groups = [...byBudget.entries()]
    .sort(([p], [q]) => p - q)
    .map(([budget, members]) => ({ budget, members }));
  return { rows, groups };
}

/** Draw counts resampling runs within each budget (Approach 2's scheme), from a keyed stream. */
function resampleWeights(table: Table, variant: string, resample: number): Float64Array {
  const weight = new Float64Array(table.rows.length);
  const rng = streamRng(BOOTSTRAP_SEED, nameKey(variant), resample);
  for (const group of table.groups) {
    const counts = resampleCounts(rng, group.members.length);
    group.members.forEach((row, i) => (weight[row] = counts[i]!));
  }
  return weight;
}

type Target = NonNullable<NonNullable<SweepContext['spec']['adaptive']>['narrow']>['target'];

/** The target's value for these tables and weights (NaN where the fit cannot give it). */
function targetValue(
  target: Target,
  tables: ReadonlyMap<string, Table>,
  weights: ReadonlyMap<string, Float64Array | undefined>,
): number {
  const fit = (name: string) => {
    const table = tables.get(name);
    if (table === undefined) return undefined;
    return fitIsoflopExponents(table.rows, table.groups, { weight: weights.get(name) });
  };
  if (target.quantity === 'exponent') return fit(target.variant)?.a ?? Number.NaN;
  const variant = fit(target.variant);
  const baseline = fit(target.baseline);
  if (variant === undefined || baseline === undefined) return Number.NaN;
  const range = (f: typeof variant) => {
    const losses = f.vertices.filter((v) => v.flag === undefined).map((v) => v.lossOpt);
    return [Math.min(...losses), Math.max(...losses)] as [number, number];
  };
  const [loss] = sharedLosses(range(variant), range(baseline), 1);
  if (loss === undefined) return Number.NaN;
  return (
    powerLawCompute(baseline.k, baseline.gamma, loss) /
    powerLawCompute(variant.k, variant.gamma, loss)
  );
}

/** Width of the target's 95% bootstrap interval (Infinity when it cannot be computed). */
function intervalWidth(
  target: Target,
  tables: ReadonlyMap<string, Table>,
  resamples: number,
): number {
  const values = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const weights = new Map<string, Float64Array>();
    for (const [name, table] of tables) weights.set(name, resampleWeights(table, name, r));
    values[r] = targetValue(target, tables, weights);
  }
  const interval = percentileInterval(values);
  return interval === undefined ? Number.POSITIVE_INFINITY : interval[1] - interval[0];
}

interface Candidate {
  variant: Variant;
  budgetFlops: number;
  size: LadderSize;
  seeds: number[];
  /** The loss the current fit predicts for it. */
  predicted: number;
  kind: string;
}

/** Loss the budget's quadratic in log10 N predicts at N. */
function predictAt(points: readonly Point[], params: number): number {
  const x = points.map((p) => Math.log10(p.params));
  const parabola = fitParabola(
    x,
    points.map((p) => p.loss),
  );
  const t = Math.log10(params);
  return parabola.c0 + parabola.c1 * t + parabola.c2 * t * t;
}

/** The width of the narrowing target's 95% bootstrap interval on these results (Infinity if none). */
export function narrowTargetWidth(ctx: SweepContext, results: readonly ObservedRun[]): number {
  const narrow = ctx.spec.adaptive?.narrow;
  if (narrow === undefined) return Number.POSITIVE_INFINITY;
  const { target } = narrow;
  const names =
    target.quantity === 'exponent' ? [target.variant] : [target.variant, target.baseline];
  const tables = new Map(
    names.map((name) => [
      name,
      tableOf(
        results
          .filter((r) => r.variant === name && Number.isFinite(r.loss))
          .map((r) => ({ budgetFlops: r.budgetFlops, params: r.params, loss: r.loss })),
      ),
    ]),
  );
  return intervalWidth(target, tables, narrow.resamples);
}

/**
 * Rule 3: while the target's bootstrap interval is wider than `narrow.width` and allowance is left, add
 * the one candidate run expected to shrink the interval most per run added. Candidates, per budget of
 * the target's variants: the next ladder size below and above the sampled range, and another seed at
 * the size nearest the vertex. Each is scored by refitting the bootstrap with the candidate's loss as
 * the current quadratic predicts it: a point where the fit is least constrained (far from the others,
 * or where few runs support the vertex) moves the resampled vertices most and narrows the interval most.
 */
export function narrowRule(
  ctx: SweepContext,
  results: readonly ObservedRun[],
  proposer: Proposer,
): void {
  const narrow = ctx.spec.adaptive?.narrow;
  if (narrow === undefined) return;
  const { target, resamples } = narrow;
  const names =
    target.quantity === 'exponent' ? [target.variant] : [target.variant, target.baseline];
  const pointsOf = new Map<string, Point[]>();
  for (const name of names) {
    pointsOf.set(
      name,
      results
        .filter((r) => r.variant === name && Number.isFinite(r.loss))
        .map((r) => ({ budgetFlops: r.budgetFlops, params: r.params, loss: r.loss })),
    );
  }
  const tablesOf = (extra?: { name: string; points: Point[] }) =>
    new Map(
      names.map((name) => {
        const points = pointsOf.get(name) ?? [];
        return [name, tableOf(extra?.name === name ? [...points, ...extra.points] : points)];
      }),
    );
  const width = intervalWidth(target, tablesOf(), resamples);
  const label =
    target.quantity === 'exponent'
      ? `the exponent a of ${target.variant}`
      : `the compute ratio ${target.baseline}/${target.variant}`;
  if (width <= narrow.width) return;
  if (proposer.allowanceLeft.runs <= 0) {
    proposer.limit({
      rule: 'narrow',
      code: 'max-extra-runs',
      variant: target.variant,
      message: `the interval of ${label} is ${width.toPrecision(3)} wide, above adaptive.narrow.width ${narrow.width}, and adaptive.maxExtraRuns is spent`,
    });
    return;
  }
  const usedSeeds = new Set([...ctx.spec.seeds, ...results.map((r) => r.seed)]);
  let spare = 0;
  while (usedSeeds.has(spare)) spare += 1;
  const candidates: Candidate[] = [];
  for (const name of names) {
    const variant = ctx.variants.find((v) => v.name === name);
    if (variant === undefined) continue;
    const rule = ladderRule(ctx, variant);
    const budgets = [...new Set((pointsOf.get(name) ?? []).map((p) => p.budgetFlops))].sort(
      (p, q) => p - q,
    );
    for (const budgetFlops of budgets) {
      const points = (pointsOf.get(name) ?? []).filter((p) => p.budgetFlops === budgetFlops);
      const sizes = [...new Set(points.map((p) => p.params))].sort((p, q) => p - q);
      if (sizes.length < 3) continue;
      const step = sizeStep(sizes);
      const lo = sizes[0]!;
      const hi = sizes[sizes.length - 1]!;
      for (const [edge, direction] of [
        [lo, 'down'],
        [hi, 'up'],
      ] as const) {
        const next = nextSize(
          ctx,
          rule,
          edge,
          direction === 'down' ? edge / step : edge * step,
          direction,
        );
        if (!next.ok) continue;
        candidates.push({
          variant,
          budgetFlops,
          size: next.size,
          seeds: [...ctx.spec.seeds],
          predicted: predictAt(points, next.size.params),
          kind: `size-${direction === 'down' ? 'below' : 'above'}`,
        });
      }
      const best = points.reduce((p, q) => (q.loss < p.loss ? q : p));
      const shape = nearestShape(ctx, rule, best.params);
      if (shape !== undefined) {
        candidates.push({
          variant,
          budgetFlops,
          size: shape,
          seeds: [spare],
          predicted: predictAt(points, best.params),
          kind: 'seed-at-vertex',
        });
      }
    }
  }
  let chosen: { candidate: Candidate; after: number; gain: number } | undefined;
  for (const candidate of candidates) {
    const extra = candidate.seeds.map(() => ({
      budgetFlops: candidate.budgetFlops,
      params: candidate.size.params,
      loss: candidate.predicted,
    }));
    const after = intervalWidth(
      target,
      tablesOf({ name: candidate.variant.name, points: extra }),
      resamples,
    );
    const gain = (width - after) / candidate.seeds.length;
    if (Number.isFinite(gain) && gain > 0 && (chosen === undefined || gain > chosen.gain)) {
      chosen = { candidate, after, gain };
    }
  }
  if (chosen === undefined) {
    proposer.limit({
      rule: 'narrow',
      code: 'no-narrowing-run',
      variant: target.variant,
      message: `the interval of ${label} is ${width.toPrecision(3)} wide, but no candidate run is expected to narrow it`,
    });
    return;
  }
  const { candidate, after } = chosen;
  proposer.propose(
    candidate.variant,
    candidate.budgetFlops,
    candidate.size,
    {
      rule: 'narrow',
      code: `narrow-${target.quantity}-${candidate.kind}`,
      variant: candidate.variant.name,
      budgetFlops: candidate.budgetFlops,
      message: `the 95% interval of ${label} is ${width.toPrecision(3)} wide (target ${narrow.width}); N = ${candidate.size.params} at C = ${candidate.budgetFlops.toPrecision(3)} (${candidate.kind}) is expected to narrow it to ${after.toPrecision(3)}.`,
    },
    candidate.seeds,
  );
}

/** The legal shape whose N is nearest `params` (the observed size itself, for a repeat seed). */
function nearestShape(
  ctx: SweepContext,
  rule: ReturnType<typeof ladderRule>,
  params: number,
): LadderSize | undefined {
  const size = nextSize(ctx, rule, 0, params, 'up');
  return size.ok && size.size.params === params ? size.size : undefined;
}
