import type { SweepContext, Variant } from '../internal/sweep-context.js';
import { isFlat, sizeStep, unbracketedSides } from './bracket-rule.js';
import type { ObservedGroup } from './observed-groups.js';
import type { Proposer } from './proposer.js';
import { ladderRule, nextSize } from './size-ladder.js';

/** Budget step when a variant has one budget, and the clamp on the step its budgets suggest. */
const DEFAULT_BUDGET_STEP = Math.sqrt(10);
const MIN_BUDGET_STEP = 2;
const MAX_BUDGET_STEP = 10;
/** N_opt ∝ C^a with a ≈ 0.5 (Chinchilla): where to centre the sizes of a new budget. */
const CENTRE_EXPONENT = 0.5;
/** Without adaptive.maxBudgetFlops, added budgets stay within this factor of the largest planned one. */
const DEFAULT_CAP_FACTOR = 10;

/** A variant's bracketed minima: one (budget, N, loss) per budget whose minimum is interior. */
export interface Frontier {
  variant: Variant;
  minima: { budgetFlops: number; params: number; loss: number; step: number }[];
  low: number;
  high: number;
}

export function frontiers(
  ctx: SweepContext,
  groups: readonly ObservedGroup[],
): Map<string, Frontier> {
  const out = new Map<string, Frontier>();
  for (const variant of ctx.variants) {
    const minima = groups
      .filter((g) => g.variant === variant.name && g.pending === 0 && g.sizes.length >= 3)
      .filter((g) => !isFlat(g) && unbracketedSides(g).length === 0)
      .map((g) => {
        const best = g.sizes.reduce((p, q) => (q.loss < p.loss ? q : p));
        return {
          budgetFlops: g.budgetFlops,
          params: best.params,
          loss: best.loss,
          step: sizeStep(g.sizes.map((s) => s.params)),
        };
      })
      .sort((p, q) => p.budgetFlops - q.budgetFlops);
    if (minima.length === 0) continue;
    const losses = minima.map((m) => m.loss);
    out.set(variant.name, { variant, minima, low: Math.min(...losses), high: Math.max(...losses) });
  }
  return out;
}

function budgetStep(budgets: readonly number[]): number {
  const ratios = budgets
    .slice(1)
    .map((c, i) => c / budgets[i]!)
    .sort((p, q) => p - q);
  if (ratios.length === 0) return DEFAULT_BUDGET_STEP;
  const median = ratios[Math.floor((ratios.length - 1) / 2)]!;
  return Math.min(MAX_BUDGET_STEP, Math.max(MIN_BUDGET_STEP, median));
}

/** The variant pairs whose losses must overlap: each against the baseline, and the narrowing pair. */
export function comparedPairs(ctx: SweepContext): [string, string][] {
  const adaptive = ctx.spec.adaptive;
  const names = ctx.variants.map((v) => v.name);
  const baseline = adaptive?.overlap.baseline ?? (names.includes('arm') ? 'arm' : (names[0] ?? ''));
  const pairs: [string, string][] = names.filter((n) => n !== baseline).map((n) => [n, baseline]);
  const target = adaptive?.narrow?.target;
  if (
    target?.quantity === 'compute-ratio' &&
    !pairs.some(
      ([a, b]) =>
        (a === target.variant && b === target.baseline) ||
        (a === target.baseline && b === target.variant),
    )
  ) {
    pairs.push([target.variant, target.baseline]);
  }
  return pairs;
}

/**
 * Add one budget for `frontier`'s variant beyond its range (below its smallest budget or above its
 * largest), with three sizes around where its minimum should move (N_opt ∝ C^0.5), one grid step apart.
 * The bracket rule then extends the new budget if its minimum still lies at an edge.
 */
function addBudget(
  ctx: SweepContext,
  frontier: Frontier,
  direction: 'down' | 'up',
  proposer: Proposer,
  why: string,
  code: string,
): boolean {
  const rule = ladderRule(ctx, frontier.variant);
  const budgets = frontier.minima.map((m) => m.budgetFlops);
  const step = budgetStep(budgets);
  const from =
    direction === 'down' ? frontier.minima[0]! : frontier.minima[frontier.minima.length - 1]!;
  const budgetFlops = Number(
    (direction === 'down' ? from.budgetFlops / step : from.budgetFlops * step).toPrecision(4),
  );
  const cap = ctx.spec.adaptive?.maxBudgetFlops ?? DEFAULT_CAP_FACTOR * Math.max(...ctx.budgets);
  const name = frontier.variant.name;
  if (budgetFlops > cap) {
    proposer.limit({
      rule: 'overlap',
      code: 'compute-cap',
      variant: name,
      budgetFlops,
      message: `${why}, but C = ${budgetFlops.toPrecision(3)} is above the compute cap ${cap.toPrecision(3)}`,
    });
    return false;
  }
  const centre = from.params * (budgetFlops / from.budgetFlops) ** CENTRE_EXPONENT;
  const targets = [centre / from.step, centre, centre * from.step];
  const seen = new Set<number>();
  let added = false;
  for (const target of targets) {
    const size = nextSize(ctx, rule, 0, target, 'up');
    if (!size.ok || seen.has(size.size.params)) continue;
    seen.add(size.size.params);
    const ok = proposer.propose(frontier.variant, budgetFlops, size.size, {
      rule: 'overlap',
      code,
      variant: name,
      budgetFlops,
      message: `${why}; adding budget C = ${budgetFlops.toPrecision(3)} for ${name} with N = ${size.size.params}.`,
    });
    // A budget the sweep already has (its minimum could not be bracketed) does not count: go the other way.
    added ||= ok === 'added';
  }
  return added;
}

/**
 * Rule 2: when two compared variants' bracketed minima share less than `overlap.minWidth` nats of loss,
 * add a budget below the lower-loss variant's smallest (cheap: smaller budgets have higher losses), or,
 * when that cannot be trained, above the other's largest, within the compute cap. A pair where a variant
 * is flat at a budget (see isFlat) is left alone, with the limit named: its loss does not move with size
 * there, so no budget either side is expected to give it a frontier the other shares.
 */
export function overlapRule(
  ctx: SweepContext,
  groups: readonly ObservedGroup[],
  proposer: Proposer,
): void {
  const overlap = ctx.spec.adaptive?.overlap;
  if (overlap === undefined || !overlap.enabled) return;
  const fronts = frontiers(ctx, groups);
  const flatBudgets = new Map<string, string[]>();
  for (const g of groups) {
    if (g.pending > 0 || !isFlat(g)) continue;
    flatBudgets.set(g.variant, [
      ...(flatBudgets.get(g.variant) ?? []),
      g.budgetFlops.toPrecision(3),
    ]);
  }
  for (const [first, second] of comparedPairs(ctx)) {
    const a = fronts.get(first);
    const b = fronts.get(second);
    if (a === undefined || b === undefined) continue;
    const width = Math.min(a.high, b.high) - Math.max(a.low, b.low);
    if (width >= overlap.minWidth) continue;
    const flat = [first, second]
      .map((name) => ({ name, budgets: flatBudgets.get(name) ?? [] }))
      .find((f) => f.budgets.length > 0);
    if (flat !== undefined) {
      proposer.limit({
        rule: 'overlap',
        code: 'flat-curve',
        variant: flat.name,
        message: `${first} and ${second} share ${Math.max(0, width).toFixed(3)} nats of loss, but ${flat.name}'s losses are flat in N at C = ${flat.budgets.join(', ')}: no budget is expected to give it a frontier that overlaps`,
      });
      continue;
    }
    const [lower, higher] = a.low + a.high <= b.low + b.high ? [a, b] : [b, a];
    const why = `${lower.variant.name} (loss ${lower.low.toFixed(3)}-${lower.high.toFixed(3)}) and ${higher.variant.name} (${higher.low.toFixed(3)}-${higher.high.toFixed(3)}) share ${Math.max(0, width).toFixed(3)} nats, less than adaptive.overlap.minWidth ${overlap.minWidth}`;
    if (addBudget(ctx, lower, 'down', proposer, why, 'losses-do-not-overlap-down')) continue;
    addBudget(ctx, higher, 'up', proposer, why, 'losses-do-not-overlap-up');
  }
}
