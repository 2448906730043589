import { buildRun, type SizedShape } from './internal/build-run.js';
import { SpecError } from './errors.js';
import { logSpaced } from './internal/log-spaced.js';
import {
  contextOf,
  variantBudgets,
  variantSizes,
  type SweepContext,
} from './internal/sweep-context.js';
import { paperBatchMultiplier, paperGrid } from './paper-grid.js';
import type { DroppedSize, Family, Plan, PlanWarning, RunSpec } from './run-spec.js';
import { shapeForParams, type BackboneShape } from './shape-rule.js';
import type { SweepSpec } from './sweep-spec.js';

export { FLOPS_TOLERANCE } from './internal/build-run.js';

type SizeCandidate = ({ ok: true } & SizedShape) | { ok: false; params: number; reason: string };

type Sizes = SweepSpec['sizes'];

function fixedShapes(ctx: SweepContext, sizes: Sizes, family: Family): SizeCandidate[] {
  const { spec } = ctx;
  if (sizes.preset === 'paper') {
    return paperGrid(family).map((size) => {
      const shape: BackboneShape = {
        dModel: size.dModel,
        nLayers: size.nLayers,
        nHeads: size.nHeads,
        ffnHidden: Math.round(spec.shapeRule.ffnMultiplier * size.dModel),
      };
      return {
        ok: true,
        shape,
        params: ctx.paramsOf(shape),
        batchSize: spec.batchSize * paperBatchMultiplier(size),
      };
    });
  }
  return (sizes.shapes ?? []).map((explicit) => {
    const shape: BackboneShape = {
      dModel: explicit.dModel,
      nLayers: explicit.nLayers,
      nHeads: explicit.nHeads,
      ffnHidden: explicit.ffnHidden ?? Math.round(spec.shapeRule.ffnMultiplier * explicit.dModel),
    };
    return {
      ok: true,
      shape,
      params: ctx.paramsOf(shape),
      batchSize: explicit.batchSize ?? spec.batchSize,
    };
  });
}

function ruleShapes(ctx: SweepContext, sizes: Sizes, budget: number): SizeCandidate[] {
  const count = sizes.count ?? 0;
  // The schema guarantees min and max whenever count is set.
  let targets: number[];
  if (sizes.params !== undefined) {
    targets = logSpaced(sizes.params.min ?? 0, sizes.params.max ?? 0, count);
  } else {
    const ratio = sizes.tokensPerParam ?? {};
    // D/N = C/(6N²), so N = sqrt(C / (6·D/N)): the most tokens per parameter gives the smallest model.
    targets = logSpaced(
      Math.sqrt(budget / (6 * (ratio.max ?? 0))),
      Math.sqrt(budget / (6 * (ratio.min ?? 0))),
      count,
    );
  }
  const seen = new Map<string, number>();
  return targets.map((target) => {
    const choice = shapeForParams(target, ctx.spec.shapeRule, ctx.multiple, ctx.paramsOf);
    if (!choice.ok) return { ok: false, params: Math.round(target), reason: choice.reason };
    const key = `${choice.shape.dModel}x${choice.shape.nLayers}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      return {
        ok: false,
        params: Math.round(target),
        reason: `target N = ${Math.round(target)} gives the same shape (dModel ${choice.shape.dModel} x ${choice.shape.nLayers} layers) as target N = ${Math.round(earlier)}`,
      };
    }
    seen.set(key, target);
    return { ok: true, shape: choice.shape, params: choice.params, batchSize: ctx.spec.batchSize };
  });
}

/**
 * Expand a validated sweep spec into runs: for every variant, each of its budgets C and sizes N (its
 * own or the sweep's), D = C/(6N) tokens,
 * rounded to whole steps of batchSize·seqLen tokens. Sizes that cannot be trained at a budget (less
 * than one batch, outside the tokens-per-parameter window, no valid shape, warmup not shorter than the
 * run) are listed in `dropped` with the reason; a spec that leaves no run at all is a SpecError. Pure: no
 * I/O, same spec in, same plan out.
 */
export function planSweep(spec: SweepSpec): Plan {
  const ctx = contextOf(spec);
  const runs: RunSpec[] = [];
  const dropped: DroppedSize[] = [];
  const warnings: PlanWarning[] = [];

  for (const variant of ctx.variants) {
    const { family, name } = variant;
    const sizes = variantSizes(spec, variant);
    for (const budgetFlops of variantBudgets(spec, variant)) {
      const candidates =
        sizes.count === undefined
          ? fixedShapes(ctx, sizes, family)
          : ruleShapes(ctx, sizes, budgetFlops);
      for (const candidate of candidates) {
        const drop = (reason: string) =>
          dropped.push({ family, variant: name, budgetFlops, params: candidate.params, reason });
        if (!candidate.ok) {
          drop(candidate.reason);
          continue;
        }
        for (const seed of spec.seeds) {
          const built = buildRun(ctx, variant, budgetFlops, candidate, seed);
          if (!built.ok) {
            // Nothing in the reasons depends on the seed: one drop per size.
            drop(built.reason);
            break;
          }
          runs.push(built.run);
          if (built.warning !== undefined) {
            warnings.push({ runId: built.run.id, message: built.warning });
          }
        }
      }
    }
  }
  if (runs.length === 0) {
    // A sweep with nothing to train would be stored and shown as done at once.
    const first = dropped[0];
    throw new SpecError([
      {
        path: 'sizes',
        message: `no run left to train: all ${dropped.length} (family, budget, size) combinations were dropped${first ? `, e.g. ${first.family} at C = ${first.budgetFlops.toPrecision(3)}: ${first.reason}` : ''}`,
      },
    ]);
  }
  return { sweepName: spec.name, runs, dropped, warnings };
}
