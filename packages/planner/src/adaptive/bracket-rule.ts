import { fitParabola } from '@isoflop/fit';
import type { SweepContext } from '../internal/sweep-context.js';
import type { ObservedGroup } from './observed-groups.js';
import type { Proposer } from './proposer.js';
import { ladderRule, nextSize } from './size-ladder.js';

/** Size step of the ladder when a budget has one size, and the clamp on the step a grid suggests. */
const DEFAULT_STEP = 2;
const MIN_STEP = 1.25;
const MAX_STEP = 4;

/** Geometric median of the ratios between neighbouring sizes: the grid's own spacing. */
export function sizeStep(params: readonly number[]): number {
  const ratios = params
    .slice(1)
    .map((n, i) => n / params[i]!)
    .sort((p, q) => p - q);
  if (ratios.length === 0) return DEFAULT_STEP;
  const median = ratios[Math.floor((ratios.length - 1) / 2)]!;
  return Math.min(MAX_STEP, Math.max(MIN_STEP, median));
}

/** Differences within this many standard errors of the lowest loss are noise. */
const FLAT_Z = 2;

/**
 * A flat group: at least three sizes, each with a standard error, and none whose loss exceeds the lowest
 * by more than FLAT_Z standard errors of the difference. Its minimum cannot be located at this budget
 * (typically a model still at the unigram level at every size), so no size added beyond an edge that
 * noise picked would tell where it lies, and its "minimum" is no point of a frontier.
 */
export function isFlat(group: ObservedGroup): boolean {
  const { sizes } = group;
  if (sizes.length < 3 || sizes.some((s) => s.lossStdErr === undefined)) return false;
  const best = sizes.reduce((p, q) => (q.loss < p.loss ? q : p));
  return sizes.every(
    (s) => s.loss - best.loss <= FLAT_Z * Math.hypot(s.lossStdErr ?? 0, best.lossStdErr ?? 0),
  );
}

type Side = { direction: 'down' | 'up'; code: string; why: string };

/** Which side of a judged group needs another size, if any. */
export function unbracketedSides(group: ObservedGroup): Side[] {
  const { sizes } = group;
  if (sizes.length === 0) return [];
  let best = 0;
  sizes.forEach((s, i) => {
    if (s.loss < sizes[best]!.loss) best = i;
  });
  const sides: Side[] = [];
  if (best === 0) {
    sides.push({
      direction: 'down',
      code: 'min-at-smallest-size',
      why: `the lowest loss is at the smallest size N = ${sizes[0]!.params}`,
    });
  }
  if (best === sizes.length - 1) {
    sides.push({
      direction: 'up',
      code: 'min-at-largest-size',
      why: `the lowest loss is at the largest size N = ${sizes[sizes.length - 1]!.params}`,
    });
  }
  if (sides.length > 0 || sizes.length < 3) return sides;
  // Interior lowest loss, but the quadratic the fit will use may still put its vertex outside.
  const x = sizes.map((s) => Math.log10(s.params));
  const parabola = fitParabola(
    x,
    sizes.map((s) => s.loss),
  );
  const vertex = -parabola.c1 / (2 * parabola.c2);
  if (parabola.c2 > 0 && vertex < x[0]!) {
    sides.push({
      direction: 'down',
      code: 'vertex-below-range',
      why: `the fitted vertex N = ${(10 ** vertex).toPrecision(3)} lies below the smallest size`,
    });
  } else if (parabola.c2 > 0 && vertex > x[x.length - 1]!) {
    sides.push({
      direction: 'up',
      code: 'vertex-above-range',
      why: `the fitted vertex N = ${(10 ** vertex).toPrecision(3)} lies above the largest size`,
    });
  }
  return sides;
}

/**
 * Rule 1: for each judged (variant, budget) whose lowest loss sits at an edge of the sampled sizes (or
 * whose fitted vertex lies outside them), add the next legal size beyond that edge, one ladder step (the
 * grid's own spacing) away. Returns the number of groups still unbracketed.
 */
export function bracketRule(
  ctx: SweepContext,
  groups: readonly ObservedGroup[],
  proposer: Proposer,
): number {
  let open = 0;
  for (const group of groups) {
    if (group.pending > 0) continue;
    const variant = ctx.variants.find((v) => v.name === group.variant);
    if (variant === undefined) continue;
    if (isFlat(group)) {
      const losses = group.sizes.map((s) => s.loss);
      proposer.limit({
        rule: 'bracket',
        code: 'flat-curve',
        variant: group.variant,
        budgetFlops: group.budgetFlops,
        message: `${group.variant} at C = ${group.budgetFlops.toPrecision(3)}: the losses of all ${losses.length} sizes (${Math.min(...losses).toFixed(3)}-${Math.max(...losses).toFixed(3)}) lie within ${FLAT_Z} standard errors of the lowest, so its minimum cannot be located at this budget`,
      });
      continue;
    }
    const sides = unbracketedSides(group);
    if (sides.length === 0) continue;
    const rule = ladderRule(ctx, variant);
    open += 1;
    const params = group.sizes.map((s) => s.params);
    const step = sizeStep(params);
    for (const side of sides) {
      const edge = side.direction === 'down' ? params[0]! : params[params.length - 1]!;
      const target = side.direction === 'down' ? edge / step : edge * step;
      const next = nextSize(ctx, rule, edge, target, side.direction);
      if (!next.ok) {
        proposer.limit({
          rule: 'bracket',
          code: next.code,
          variant: group.variant,
          budgetFlops: group.budgetFlops,
          message: `${side.why}, but ${next.message}`,
        });
        continue;
      }
      proposer.propose(variant, group.budgetFlops, next.size, {
        rule: 'bracket',
        code: side.code,
        variant: group.variant,
        budgetFlops: group.budgetFlops,
        message: `${group.variant} at C = ${group.budgetFlops.toPrecision(3)}: ${side.why}; adding N = ${next.size.params} (dModel ${next.size.shape.dModel} x ${next.size.shape.nLayers} layers).`,
      });
    }
  }
  return open;
}
